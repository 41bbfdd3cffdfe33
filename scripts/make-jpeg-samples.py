# Writes the tiny JPEG samples embedded in Tests/PipelineTests/JPEGSamples.swift (Pillow 13, libjpeg-turbo).
import base64, io
from PIL import Image

def quadrants(mode, colours, size=16):
    image = Image.new(mode, (size, size))
    half = size // 2
    for index, colour in enumerate(colours):
        x0, y0 = (index % 2) * half, (index // 2) * half
        image.paste(colour, (x0, y0, x0 + half, y0 + half))
    return image

def encode(image, **options):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **options)
    return out.getvalue()

samples = {
    "gray": encode(quadrants("L", [30, 90, 160, 230])),
    "cmykAdobe": encode(quadrants("CMYK", [(0, 0, 0, 0), (255, 0, 0, 0), (0, 128, 255, 0), (40, 80, 120, 100)])),
    "progressive": encode(quadrants("RGB", [(200, 30, 30), (30, 200, 30), (30, 30, 200), (240, 240, 240)]),
                          progressive=True),
}
for name, data in samples.items():
    print(name, len(data), base64.b64encode(data).decode())
if __name__ == "__main__":
    import sys
    for name, data in samples.items():
        im = Image.open(io.BytesIO(data)); print(name, im.mode, [im.convert("RGB").getpixel(p) for p in [(4,4),(12,4),(4,12),(12,12)]], file=sys.stderr)
