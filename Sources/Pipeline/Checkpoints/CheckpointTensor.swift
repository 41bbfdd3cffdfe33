/// A tensor as a checkpoint stores it: a view (shape, strides, offset, all in elements) into a storage.
/// Nothing is copied or converted until `floats()` / `int64s()` is called.
public struct CheckpointTensor {
    public let storage: TensorStorage
    public let shape: [Int]
    public let strides: [Int]
    public let storageOffset: Int
    /// Number of elements (the product of `shape`; 1 for a scalar).
    public let count: Int

    public var dtype: TensorDType { storage.dtype }
    public var rank: Int { shape.count }

    /// The largest rank accepted from a file (PyTorch allows 64; checkpoints use at most 5).
    static let maxRank = 16

    /// Checks that every element the view can address lies inside the storage, with overflow-checked
    /// arithmetic, so no header can make a later read go out of bounds or make Pivot allocate an absurd size.
    public init(storage: TensorStorage, shape: [Int], strides: [Int], storageOffset: Int = 0) throws(ShapeError) {
        guard shape.count <= Self.maxRank else { throw ShapeError("rank \(shape.count) exceeds \(Self.maxRank)") }
        guard strides.count == shape.count else {
            throw ShapeError("shape \(shape) and strides \(strides) differ in rank")
        }
        guard shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), storageOffset >= 0 else {
            throw ShapeError("negative size, stride or offset in shape \(shape) strides \(strides) offset \(storageOffset)")
        }
        var count = 1
        var lastIndex = storageOffset
        for (size, stride) in zip(shape, strides) {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw ShapeError("shape \(shape) has too many elements") }
            count = product
            if size > 0 {
                let (reach, overflowReach) = (size - 1).multipliedReportingOverflow(by: stride)
                let (sum, overflowSum) = lastIndex.addingReportingOverflow(reach)
                guard !overflowReach, !overflowSum else { throw ShapeError("strides \(strides) overflow") }
                lastIndex = sum
            }
        }
        guard storageOffset <= storage.count else {
            throw ShapeError("storage offset \(storageOffset) lies beyond a storage of \(storage.count)")
        }
        if count > 0 && lastIndex >= storage.count {
            throw ShapeError("view shape \(shape) strides \(strides) offset \(storageOffset) reaches element \(lastIndex) of a storage of \(storage.count)")
        }
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
        self.count = count
    }

    /// A contiguous float32 tensor holding `values`.
    public init(floats values: [Float], shape: [Int]) throws(ShapeError) {
        guard Self.elementCount(shape) == values.count else {
            throw ShapeError("\(values.count) values do not fill shape \(shape)")
        }
        try self.init(storage: TensorStorage(floats: values), shape: shape, strides: Self.contiguousStrides(shape))
    }

    /// The product of a shape, or nil when a size is negative or the product overflows.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// C-order strides; they saturate at `Int.max` for absurd shapes, which `init` then rejects.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            let (next, overflow) = step.multipliedReportingOverflow(by: max(shape[axis], 1))
            step = overflow ? Int.max : next
        }
        return strides
    }

    /// True when the elements are laid out in C order without gaps.
    public var isContiguous: Bool {
        var step = 1
        for axis in shape.indices.reversed() where shape[axis] != 1 {
            if strides[axis] != step { return false }
            step *= shape[axis]
        }
        return true
    }

    /// The same elements under another shape with the same count (a view when contiguous, else a copy).
    public func reshaped(_ newShape: [Int]) throws -> CheckpointTensor {
        guard Self.elementCount(newShape) == count else {
            throw ShapeError("cannot reshape \(shape) to \(newShape)")
        }
        if isContiguous {
            return try CheckpointTensor(storage: storage, shape: newShape,
                                        strides: Self.contiguousStrides(newShape), storageOffset: storageOffset)
        }
        return try CheckpointTensor(floats: floats(), shape: newShape)
    }
}

/// A tensor header that does not describe a valid view. Readers wrap it into a `CheckpointError` naming the file.
public struct ShapeError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
