"""Conversion and valuation: scenarios, cash flows per MW, DCF, conversion planner, treasury, sweeps."""
