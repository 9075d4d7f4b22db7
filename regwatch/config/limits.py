"""Size limits on untrusted text: one home for each, imported by every layer that cuts."""

#: An article's text is cut to this many characters when extracted, classified and stored.
MAX_TEXT_CHARS = 200_000
#: An article's title is cut to this many characters.
MAX_TITLE_CHARS = 1_000
