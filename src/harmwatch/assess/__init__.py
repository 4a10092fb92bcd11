"""Assessment aids for investigators (docs/assessment.md): the weapon profile of an incident from the
catalogue (`profile.py`), IHL screening flags with their reasons and quotes (`flags.py`), the stated
likely target of a strike (`target.py`), user-loaded military objects (`objects.py`) and the sun's
position for chronolocation (`chrono.py`).

Nothing here is a verdict: every flag says what the sources report and why an investigator may want
to look at it. Library functions return typed records; the CLI and the web layer only present them.
"""
