"""One router per topic: health, data, mining, signals, dispatch, value."""
