"""Evidence items: media files filed under incidents, with fixity, metadata, recycled-media warnings,
custody in the audit chain, and case-file bundles (docs/evidence.md).

    store.py   content-addressed, write-once files; add / list / verify; items_for_incident
    media.py   type sniffing, EXIF/XMP, thumbnails, video keyframes
    phash.py   perceptual fingerprints and recycled-media matching
    bundle.py  case-file zip bundles and their standalone verification
"""
