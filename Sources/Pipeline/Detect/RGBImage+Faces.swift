/// The face stages on decoded images (`ImageCodec.read`). For results identical to dlib's, read photos
/// with `appliesExifOrientation: false`, as dlib's loader ignores EXIF.
extension FrontalFaceDetector {
    public func detect(_ image: RGBImage, upsample: Int = 1) throws -> [FaceDetection] {
        try detect(pixels: image.pixels, width: image.width, height: image.height, upsample: upsample)
    }
}

extension ShapePredictor {
    public func landmarks(in image: RGBImage, box: PixelRect) throws -> [PixelPoint] {
        try landmarks(pixels: image.pixels, width: image.width, height: image.height, box: box)
    }
}

extension FaceFinder {
    public func faces(in image: RGBImage) throws -> [FoundFace] {
        try faces(pixels: image.pixels, width: image.width, height: image.height)
    }
}
