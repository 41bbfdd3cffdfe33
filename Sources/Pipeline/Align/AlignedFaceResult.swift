/// One face of a photo, found and aligned: what `pivot align` writes and what the later stages invert.
public struct AlignedFaceResult: Sendable {
    /// Detection box, confidence, filter and 68 landmarks, in the photo's pixels.
    public var face: FoundFace
    /// The aligned square image, the quad of the photo it was cut from, and the alignment's intermediate values.
    public var alignment: AlignedFace

    public init(face: FoundFace, alignment: AlignedFace) {
        self.face = face
        self.alignment = alignment
    }

    /// The `outputSize` x `outputSize` aligned face.
    public var image: RGBImage { alignment.image }
}
