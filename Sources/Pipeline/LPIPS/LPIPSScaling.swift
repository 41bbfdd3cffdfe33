/// LPIPS's ScalingLayer: x' = (x − shift) / scale per RGB channel (ImageNet mean/std rewritten for inputs in
/// [−1, 1], specs/lpips.md §1.2), forward and backward.
enum LPIPSScaling {
    static let shift: [Float] = [-0.030, -0.088, -0.188]
    static let scale: [Float] = [0.458, 0.448, 0.450]

    static func forward(_ image: [Float]) -> [Float] {
        image.indices.map { i in (image[i] - shift[i % 3]) / scale[i % 3] }
    }

    /// ∂L/∂x = ∂L/∂x' / scale, in place.
    static func backward(_ gradient: inout [Float]) {
        for i in gradient.indices { gradient[i] /= scale[i % 3] }
    }
}
