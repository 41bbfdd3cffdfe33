import Foundation
import Testing
import Pipeline
import PivotTestSupport

@Suite("safetensors")
struct SafetensorsTests {
    /// Half and bfloat16 bit patterns for a few exactly representable values, written by hand.
    static let halfOne: UInt16 = 0x3C00, halfMinusTwo: UInt16 = 0xC000, halfSmallest: UInt16 = 0x0001
    static let bfloatOne: UInt16 = 0x3F80, bfloatMinusHalf: UInt16 = 0xBF00

    @Test func roundTripConvertsToFloat32AndKeepsOrderShapesAndValues() throws {
        let folder = try temporaryFolder("safetensors")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var tensors = NamedTensors(source: "test")
        tensors.set("z.weight", try CheckpointTensor(floats: [1.5, -2, .pi, 0, -0.0, .infinity], shape: [2, 3]))
        tensors.set("a.scalar", try CheckpointTensor(floats: [42], shape: []))
        tensors.set("m.empty", try CheckpointTensor(floats: [], shape: [0, 4]))
        let halves = [Self.halfOne, Self.halfMinusTwo, Self.halfSmallest].flatMap { withUnsafeBytes(of: $0) { Array($0) } }
        let halfFile = try writeRaw(folder, dtype: "F16", shape: [3], bytes: halves)
        let half = try Safetensors.read(path: halfFile).tensors.tensor("t")
        #expect(try half.floats() == [1, -2, 0x1p-24])
        tensors.set("h.half", half)
        let bfloats = [Self.bfloatOne, Self.bfloatMinusHalf].flatMap { withUnsafeBytes(of: $0) { Array($0) } }
        let bfloat = try Safetensors.read(path: try writeRaw(folder, dtype: "BF16", shape: [2, 1], bytes: bfloats)).tensors.tensor("t")
        #expect(try bfloat.floats() == [1, -0.5])
        tensors.set("b.bfloat", bfloat)

        let path = folder + "/round.safetensors"
        try Safetensors.write(tensors, metadata: ["pivot.kind": "test"], to: path)
        let back = try Safetensors.read(path: path)
        #expect(back.metadata == ["pivot.kind": "test"])
        #expect(back.tensors.names == tensors.names)
        for (name, tensor) in tensors {
            let read = try back.tensors.tensor(name)
            #expect(read.shape == tensor.shape && read.dtype == .float32)
            #expect(try read.floats().map(\.bitPattern) == tensor.floats().map(\.bitPattern))
        }
        // No temporary file is left next to the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") } == [])
        // The data starts 8-byte aligned.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8 == 0)
    }

    @Test func int64TensorsStayIntegers() throws {
        let folder = try temporaryFolder("safetensors-int")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let values: [Int64] = [-3, 1 << 40, 7]
        let raw = try writeRaw(folder, dtype: "I64", shape: [3], bytes: values.flatMap { withUnsafeBytes(of: $0) { Array($0) } })
        var tensors = NamedTensors(source: "test")
        tensors.set("steps", try Safetensors.read(path: raw).tensors.tensor("t"))
        try Safetensors.write(tensors, to: folder + "/ints.safetensors")
        let back = try Safetensors.read(path: folder + "/ints.safetensors").tensors.tensor("steps")
        #expect(try back.dtype == .int64 && back.int64s() == values)
        #expect(throws: (any Error).self) { try back.floats() }
    }
}

/// Writes a one-tensor safetensors file named `t` by hand (independent of Pivot's writer).
func writeRaw(_ folder: String, dtype: String, shape: [Int], bytes: [UInt8], name: String = "t") throws -> String {
    let header = #"{"\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":[0,\#(bytes.count)]}}"#
    var data = Data(withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) })
    data.append(contentsOf: Array(header.utf8) + bytes)
    let path = folder + "/raw-\(dtype)-\(UInt32.random(in: 0...UInt32.max)).safetensors"
    try data.write(to: URL(fileURLWithPath: path))
    return path
}
