/// A typed run of elements that tensors view (PyTorch's `Storage`). Legacy `torch.save` files name their
/// storages in the pickle before the data appears, so `bytes` may be filled in after the tensors exist.
public final class TensorStorage {
    public let dtype: TensorDType
    /// Number of elements, as declared by the file and checked against the bytes once they are attached.
    public let count: Int
    public private(set) var bytes: ByteSlice?

    init(dtype: TensorDType, count: Int, bytes: ByteSlice? = nil) {
        self.dtype = dtype
        self.count = count
        self.bytes = bytes
    }

    func attach(_ bytes: ByteSlice) { self.bytes = bytes }

    /// Storage over a slice whose length is a whole number of elements.
    convenience init(dtype: TensorDType, bytes: ByteSlice) {
        self.init(dtype: dtype, count: bytes.count / dtype.byteSize, bytes: bytes)
    }

    /// An owned float32 storage (for tensors Pivot computes, e.g. a recomputed filter).
    convenience init(floats: [Float]) {
        let data = floats.withUnsafeBytes { Array($0) }
        self.init(dtype: .float32, count: floats.count, bytes: ByteSlice(copying: data))
    }
}
