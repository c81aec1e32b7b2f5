"""canbao (参保): field-survey system for universal social-insurance enrollment registration."""
