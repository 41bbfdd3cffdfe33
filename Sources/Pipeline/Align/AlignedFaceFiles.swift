import Foundation

/// The files `pivot align` writes for one photo into a folder: `<stem>.face<i>.png` for face i (0 is the most
/// confident) and `<stem>.faces.json` (a `FaceReport`), where `<stem>` is the photo's file name without its
/// extension.
public struct AlignedFaceFiles: Sendable {
    public var folder: String
    public var stem: String

    public init(folder: String, photo path: String) {
        self.folder = folder
        stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    public func imageName(face index: Int) -> String { "\(stem).face\(index).png" }
    public var reportName: String { "\(stem).faces.json" }
    public func path(of name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// Writes each face's PNG, then the report naming them (last, so a report only ever names complete
    /// images). Every file is written atomically. Returns the report written.
    @discardableResult
    public func write(_ faces: [AlignedFaceResult], report: FaceReport) throws -> FaceReport {
        var report = report
        report.faces = try faces.enumerated().map { index, face in
            let name = imageName(face: index)
            try ImageCodec.write(face.image, to: URL(fileURLWithPath: path(of: name)), as: .png)
            return FaceReport.Face(face, image: name)
        }
        try report.write(to: path(of: reportName))
        return report
    }
}

extension FaceFinder {
    /// `pivot align` for one photo file: decode it, find and align every face (`alignFaces(in:variant:outputSize:)`)
    /// and write `AlignedFaceFiles` into `folder` (which must exist). A photo without a face gets a report
    /// with no faces and no image. Decoding errors are `ImageError`s naming the file.
    @discardableResult
    public func alignPhoto(at path: String, into folder: String, variant: FFHQAlignmentVariant = .pti,
                           outputSize: Int = 1024, readOptions: ImageReadOptions = ImageReadOptions()) throws -> FaceReport {
        let photo = try ImageCodec.read(URL(fileURLWithPath: path), options: readOptions)
        let faces = try alignFaces(in: photo, variant: variant, outputSize: outputSize)
        let report = FaceReport(file: (path as NSString).lastPathComponent, width: photo.width, height: photo.height,
                                upsample: upsample, detectionShrink: detectionShrink(width: photo.width, height: photo.height),
                                variant: variant.rawValue, size: outputSize, faces: [])
        return try AlignedFaceFiles(folder: folder, photo: path).write(faces, report: report)
    }
}
