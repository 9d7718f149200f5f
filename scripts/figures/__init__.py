"""casualty-figures: numeric claims from news text with character-level provenance."""

__version__ = "0.1.0"
