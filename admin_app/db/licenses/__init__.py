"""Licenses: finding them, the active-license rule, license files and their signatures, sending one again,
cloud activations.
"""
