"""atoz's sample data, installed as package data so `atoz demo` finds it anywhere."""
