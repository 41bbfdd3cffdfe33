import Foundation
import Pipeline

/// The 68-point model, parsed once for all tests (it is 100 MB).
enum SharedModels {
    static let shapePredictorURL = URL(fileURLWithPath: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat")
    static var shapePredictorAvailable: Bool { FileManager.default.fileExists(atPath: shapePredictorURL.path) }
    static let shapePredictor: ShapePredictor? = try? ShapePredictor(contentsOf: shapePredictorURL)
    static let detector: FrontalFaceDetector? = try? FrontalFaceDetector.builtIn()
}
