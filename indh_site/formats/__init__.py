"""Date and number formats per language (settings.FORMAT_MODULE_PATH).

Moroccan officials write and read dates day first, in every language of the admin: Django's own
English and Arabic formats read ``01/04/2025`` as 4 January and refuse ``15/03/2025``. Each
language's module takes the shared Moroccan dates from ``moroccan`` and keeps its own separators,
the ones indh_site.money writes amounts with.
"""
