"""Contract and load testing harness for the MyPreferences 3.0 Version 4 REST API."""

__version__ = "0.1.0"
