"""The README's "Use it as a library" examples run as doctests: their printed values are the code's.

Every ```python block of that section is one part of a single doctest (later blocks use the names of
earlier ones), run with ``NORMALIZE_WHITESPACE`` only: each number shown must be printed exactly.
When a change *means* to move a number (a model change, as for the golden files), rewrite the shown
outputs with ``WATTSHIFT_UPDATE_README=1 pytest tests/test_readme_library.py`` and say why in the commit.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Use it as a library"


def library_examples(text: str) -> str:
    """The ```python blocks of the README's library section, joined."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end >= 0 else len(text)]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL))


def test_section_has_an_example_of_each_function() -> None:
    source = library_examples(README.read_text(encoding="utf-8"))
    calls = ("ws.hashprice_usd_per_ph_day(", "ws.cost_per_btc(", "ws.signals(", "ws.dispatch(", "ws.value(")
    for call in calls:
        assert call in source, f"README library section lacks an example of {call}"


class _Recorder(doctest.DocTestRunner):
    """A doctest runner that also keeps (example, output got) of every failed example."""

    def __init__(self) -> None:
        super().__init__(optionflags=doctest.NORMALIZE_WHITESPACE)
        self.got: list[tuple[doctest.Example, str]] = []

    def report_failure(self, out: object, test: doctest.DocTest, example: doctest.Example, got: str) -> None:
        self.got.append((example, got))
        super().report_failure(out, test, example, got)  # type: ignore[arg-type]


def _shown(example: doctest.Example, output: str) -> str:
    """An example as the README shows it: ``>>>`` / ``...`` lines, then its output."""
    lines = example.source.rstrip("\n").split("\n")
    prompt = [">>> " + lines[0], *("... " + line for line in lines[1:])]
    return "\n".join(prompt) + "\n" + output


def test_readme_library_examples_print_what_they_show() -> None:
    text = README.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(library_examples(text), {}, "README.md (Use it as a library)", str(README), 0)
    assert len(test.examples) >= 20
    runner = _Recorder()
    failures: list[str] = []
    runner.run(test, out=failures.append)
    if runner.got and os.environ.get("WATTSHIFT_UPDATE_README") == "1":
        for example, got in runner.got:
            assert text.count(_shown(example, example.want)) == 1, example.source
            text = text.replace(_shown(example, example.want), _shown(example, got))
        README.write_text(text, encoding="utf-8")
        return
    assert runner.failures == 0, "".join(failures)


def test_import_wattshift_loads_no_data_stack() -> None:
    """``import wattshift`` stays cheap: the library is imported only as ``wattshift.lib``."""
    probe = "import sys, wattshift; print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
