extension FaceFinder {
    /// Finds every face in a photo and aligns each one (FFHQ alignment from its 68 landmarks): the
    /// "photo -> aligned faces" step shared by `pivot align` and the PTI pipeline.
    ///
    /// Faces come in `faces(in:)`'s order, most confident first; an empty array means the photo has no face.
    /// For results identical to dlib's, decode the photo with `appliesExifOrientation: false` (dlib ignores EXIF).
    /// Throws `AlignmentError` when `outputSize` is outside 1...`FFHQAligner.maxOutputSize` (checked before
    /// detection) or when a detected face cannot be aligned.
    public func alignFaces(in image: RGBImage, variant: FFHQAlignmentVariant = .pti,
                           outputSize: Int = 1024) throws -> [AlignedFaceResult] {
        try FFHQAligner.checkOutputSize(outputSize)
        return try faces(in: image).map { face in
            AlignedFaceResult(face: face, alignment: try face.aligned(in: image, variant: variant, outputSize: outputSize))
        }
    }
}

extension FoundFace {
    /// This face of `image` (the photo it was found in), FFHQ-aligned from its landmarks.
    public func aligned(in image: RGBImage, variant: FFHQAlignmentVariant = .pti, outputSize: Int = 1024) throws -> AlignedFace {
        try FFHQAligner.align(image: image, landmarks: landmarks.map { SIMD2(Double($0.x), Double($0.y)) },
                              variant: variant, outputSize: outputSize)
    }
}
