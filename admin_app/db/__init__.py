"""The shared data layer: plain functions taking a Session; never imports Reflex."""
