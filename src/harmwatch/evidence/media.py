"""What a file is, what its metadata says, and its derivatives (thumbnail, video keyframes).

Types are sniffed from the bytes (the file name is not trusted): JPEG, PNG, GIF, WebP, TIFF images;
MP4/MOV, WebM/Matroska and AVI videos; PDF documents; HTML, MHTML and WARC web captures. Anything
else is refused with an InputError. Images are decoded in full before anything is stored, so a
truncated or corrupt image is refused too. Video keyframes come from the ffmpeg binary that the
imageio-ffmpeg package ships (nothing is downloaded at run time).
"""
from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..errors import InputError

THUMB_PX = 320
MAX_KEYFRAMES = 6
MAX_PIXELS = 80_000_000  # refuse decompression bombs with a clear error, not a warning

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm", "video/x-msvideo"}
KINDS = ("photo", "video", "satellite", "document", "web_capture")
EXT = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/tiff": "tif",
       "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-msvideo": "avi",
       "application/pdf": "pdf", "text/html": "html", "multipart/related": "mhtml", "application/warc": "warc"}


def sniff(raw: bytes) -> str | None:
    """The media type from the first bytes, or None when it is not one we keep."""
    head = raw[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"WARC/1."):
        return "application/warc"
    text = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"mime-version:") or b"content-type: multipart/related" in text:
        return "multipart/related"
    if text.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    return None


def default_kind(media_type: str) -> str:
    if media_type in IMAGE_TYPES:
        return "photo"
    if media_type in VIDEO_TYPES:
        return "video"
    if media_type == "application/pdf":
        return "document"
    return "web_capture"


def open_image(raw: bytes, name: str) -> Image.Image:
    """The decoded image (every pixel read); InputError when it is truncated or not decodable."""
    try:
        img = Image.open(io.BytesIO(raw))
        if img.width * img.height > MAX_PIXELS:
            raise InputError(f"{name}: {img.width}x{img.height} pixels, over the limit of {MAX_PIXELS:,}")
        img.load()
    except InputError:
        raise
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError, SyntaxError) as e:
        raise InputError(f"{name}: the image cannot be read in full (truncated or corrupt?): {e}") from e
    return img


# --- metadata ---------------------------------------------------------------------------------------

@dataclass
class Metadata:
    """What the file says about itself: GPS and time from EXIF, else XMP."""

    lat: float | None = None
    lon: float | None = None
    taken: str | None = None  # "YYYY-MM-DDTHH:MM:SS" as the camera wrote it (local time, usually)
    offset: str | None = None  # "+02:00" when the camera recorded its UTC offset
    camera: str | None = None
    width: int | None = None
    height: int | None = None
    source: dict = field(default_factory=dict)  # which field came from EXIF or XMP

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, {})}


def _ratio(v) -> float:  # noqa: ANN001
    try:
        return float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        return float(v[0]) / float(v[1])


def _dms(values, ref) -> float | None:  # noqa: ANN001
    try:
        d, m, s = (_ratio(x) for x in values)
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    deg = d + m / 60 + s / 3600
    return -deg if str(ref).upper().startswith(("S", "W")) else deg


def _exif_time(v: str | None) -> str | None:
    if not v:
        return None
    try:
        return datetime.strptime(str(v).strip()[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def read_metadata(img: Image.Image, raw: bytes) -> Metadata:
    meta = Metadata(width=img.width, height=img.height)
    try:
        exif = img.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block is no reason to refuse the photo
        exif = None
    if exif:
        sub = exif.get_ifd(0x8769)
        taken = _exif_time(sub.get(36867) or exif.get(306))
        if taken:
            meta.taken, meta.source["taken"] = taken, "exif"
            if sub.get(36881):
                meta.offset = str(sub.get(36881)).strip()
        gps = exif.get_ifd(0x8825)
        if gps and 2 in gps and 4 in gps:
            lat, lon = _dms(gps[2], gps.get(1, "N")), _dms(gps[4], gps.get(3, "E"))
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                meta.lat, meta.lon, meta.source["gps"] = round(lat, 6), round(lon, 6), "exif"
        model = " ".join(str(exif.get(t, "")).strip() for t in (271, 272)).strip()
        meta.camera = model or None
    _read_xmp(raw, meta)
    return meta


_XMP_RE = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.S)


def _xmp_value(xmp: str, name: str) -> str | None:
    m = re.search(rf'{name}\s*=\s*"([^"]*)"', xmp) or re.search(rf"<{name}>([^<]*)</{name}>", xmp)
    return m.group(1).strip() if m else None


def _xmp_coord(v: str | None) -> float | None:
    """XMP GPS: "50,25.3N" (degrees, decimal minutes, direction) or a plain decimal."""
    if not v:
        return None
    m = re.fullmatch(r"(\d+),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])", v.replace(" ", ""))
    if m:
        deg = float(m.group(1)) + float(m.group(2)) / 60 + float(m.group(3) or 0) / 3600
        return -deg if m.group(4) in "SW" else deg
    try:
        return float(v)
    except ValueError:
        return None


def _read_xmp(raw: bytes, meta: Metadata) -> None:
    m = _XMP_RE.search(raw[:2_000_000])
    if not m:
        return
    xmp = m.group(0).decode("utf-8", "replace")
    if meta.taken is None:
        for name in ("exif:DateTimeOriginal", "photoshop:DateCreated", "xmp:CreateDate"):
            v = _xmp_value(xmp, name)
            if v and re.match(r"\d{4}-\d\d-\d\d", v):
                meta.taken, meta.source["taken"] = v[:19], "xmp"
                tz = re.search(r"([+-]\d\d:\d\d|Z)$", v)
                if tz and meta.offset is None:
                    meta.offset = "+00:00" if tz.group(1) == "Z" else tz.group(1)
                break
    if meta.lat is None:
        lat, lon = _xmp_coord(_xmp_value(xmp, "exif:GPSLatitude")), _xmp_coord(_xmp_value(xmp, "exif:GPSLongitude"))
        if lat is not None and lon is not None:
            meta.lat, meta.lon, meta.source["gps"] = round(lat, 6), round(lon, 6), "xmp"


# --- derivatives ------------------------------------------------------------------------------------

def thumbnail(img: Image.Image) -> bytes:
    """A JPEG at most THUMB_PX on its longer side (EXIF orientation applied, metadata dropped)."""
    from PIL import ImageOps
    t = ImageOps.exif_transpose(img.copy()).convert("RGB")
    t.thumbnail((THUMB_PX, THUMB_PX))
    buf = io.BytesIO()
    t.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise InputError(f"video keyframes need the ffmpeg binary of imageio-ffmpeg: {e}") from e


def keyframes(raw: bytes, name: str, limit: int = MAX_KEYFRAMES) -> list[bytes]:
    """PNG images of the video's first `limit` keyframes (I-frames); InputError when ffmpeg cannot
    decode the video or it has none."""
    with tempfile.TemporaryDirectory(prefix="harmwatch-video-") as tmp:
        src = Path(tmp) / "in.bin"
        src.write_bytes(raw)
        cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-skip_frame", "nokey", "-i", str(src),
               "-fps_mode", "vfr", "-frames:v", str(limit), str(Path(tmp) / "k%03d.png")]
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise InputError(f"{name}: ffmpeg could not read the video: {e}") from e
        frames = sorted(Path(tmp).glob("k*.png"))
        if r.returncode != 0 or not frames:
            why = r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no keyframes"]
            raise InputError(f"{name}: the video cannot be decoded (truncated or corrupt?): {why[0]}")
        return [f.read_bytes() for f in frames]
