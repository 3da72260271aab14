"""phonenumbers for the packaged app: its metadata, short numbers and time zones, not the place names
and carriers (geocoder/carrier, ~5 MB the app never reads). Replaces the contributed hook, which
collects every submodule."""

from PyInstaller.utils.hooks import collect_submodules

_UNUSED = ("phonenumbers.geocoder", "phonenumbers.geodata", "phonenumbers.carrier",
           "phonenumbers.carrierdata")

hiddenimports = collect_submodules(
    "phonenumbers", filter=lambda name: not name.startswith(_UNUSED))
