/// What REDUCE, NEWOBJ and BUILD do for each allowed global. Each case checks its arguments' types and
/// reproduces the constructor's effect in Swift.
extension PickleMachine {
    func call(_ callable: PickleValue, _ arguments: PickleValue, at offset: Int) throws -> PickleValue {
        guard case .global(let global) = callable else {
            throw fail(.refused, "pickle calls a \(callable.kindName), which is not callable here", at: offset)
        }
        guard let args = arguments.items else {
            throw fail(.malformed, "arguments of \(global) are a \(arguments.kindName), not a tuple", at: offset)
        }
        func bad(_ what: String) -> CheckpointError {
            fail(.malformed, "\(global) called with \(what)", at: offset)
        }
        switch global {
        case .orderedDict, .easyDict, .namespace:
            // Called with () (items follow via SETITEMS) or with one iterable of key/value pairs.
            let dict = PickleDict()
            if args.isEmpty { return .dict(dict) }
            guard args.count == 1, let pairs = args[0].items else { throw bad("\(args.count) arguments") }
            for pair in pairs {
                guard let kv = pair.items, kv.count == 2 else { throw bad("an item that is not a pair") }
                dict.set(kv[0], kv[1])
            }
            return .dict(dict)
        case .set, .frozenset:
            if args.isEmpty { return .set(PickleList()) }
            guard args.count == 1, let items = args[0].items else { throw bad("\(args.count) arguments") }
            return .set(PickleList(items))
        case .codecsEncode:
            // Protocol 2 pickles `bytes` as _codecs.encode(text, 'latin1'): each character is one byte.
            guard args.count == 2, let text = args[0].stringValue, let encoding = args[1].stringValue,
                  ["latin1", "latin-1"].contains(encoding.lowercased()) else { throw bad("unexpected arguments") }
            var bytes = [UInt8]()
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw bad("a character outside latin-1") }
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(ByteSlice(copying: bytes))
        case .rebuildTensor, .rebuildTensorV2:
            guard args.count >= 4, case .storage(let storage) = args[0], let storageOffset = args[1].intValue,
                  let shape = integers(args[2]), let strides = integers(args[3]) else {
                throw bad("arguments that are not (storage, offset, size, stride, ...)")
            }
            do {
                return .tensor(try CheckpointTensor(storage: storage, shape: shape, strides: strides,
                                                    storageOffset: storageOffset))
            } catch {
                throw fail(.malformed, "bad tensor: \(error)", at: offset)
            }
        case .rebuildParameter:
            guard args.count >= 1, case .tensor = args[0] else { throw bad("no tensor") }
            return args[0]
        case .loadFromBytes:
            guard args.count == 1, case .bytes(let blob) = args[0] else { throw bad("no bytes") }
            guard nesting == 0 else { throw fail(.refused, "torch.save blob nested inside another one", at: offset) }
            return .storage(try TorchLegacyFormat.readNestedStorage(blob, file: reader.file))
        case .numpyDType:
            guard args.count >= 1, let descr = args[0].stringValue else { throw bad("no type descriptor") }
            return .numpyDType(NumpyDType(descr: descr))
        case .numpyScalar:
            guard args.count == 2, case .numpyDType(let dtype) = args[0], case .bytes(let raw) = args[1] else {
                throw bad("arguments that are not (dtype, bytes)")
            }
            return try numpyScalar(dtype, raw, bad)
        case .persistentObject:
            guard args.count == 1, case .dict(let meta) = args[0], let className = meta["class_name"]?.stringValue,
                  meta["type"]?.stringValue == "class", let state = meta["state"] else {
                throw bad("a meta dict without type 'class', class_name and state")
            }
            return .persistentObject(PersistentObject(className: className, state: state))
        case .storageClass:
            throw fail(.refused, "pickle constructs a \(global) directly", at: offset)
        }
    }

    /// BUILD: only a NumPy dtype's state and an object's ignorable attributes (`_metadata`, Namespace fields).
    func build(_ target: PickleValue, with state: PickleValue, at offset: Int) throws {
        switch target {
        case .numpyDType(let dtype):
            // State tuple: (version, byte order, subarray, names, fields, elsize, alignment, flags).
            guard let fields = state.items, fields.count >= 2, let order = fields[1].stringValue else {
                throw fail(.malformed, "numpy dtype state is not a tuple", at: offset)
            }
            dtype.byteOrder = order
        case .dict(let dict):
            // A state_dict's `_metadata` attribute is dropped; a Namespace keeps its fields as dict items.
            if case .dict(let attributes) = state {
                for (key, value) in attributes.entries where key.stringValue != "_metadata" { dict.set(key, value) }
            }
        case .tensor:
            // Parameters may carry an empty state (`_rebuild_parameter_with_state` writers); nothing to keep.
            break
        default:
            throw fail(.refused, "BUILD on a \(target.kindName)", at: offset)
        }
    }

    private func integers(_ value: PickleValue) -> [Int]? {
        guard let items = value.items else { return nil }
        let numbers = items.compactMap(\.intValue)
        return numbers.count == items.count ? numbers : nil
    }

    private func numpyScalar(_ dtype: NumpyDType, _ raw: ByteSlice,
                             _ bad: (String) -> CheckpointError) throws -> PickleValue {
        guard dtype.byteOrder != ">" else { throw bad("a big-endian scalar") }
        let bytes = raw.bytes
        switch (dtype.descr, bytes.count) {
        case ("f8", 8): return .float(bytes.loadUnaligned(as: Double.self))
        case ("f4", 4): return .float(Double(bytes.loadUnaligned(as: Float.self)))
        case ("i8", 8): return .int(Int(Int64(littleEndian: bytes.loadUnaligned(as: Int64.self))))
        case ("i4", 4): return .int(Int(Int32(littleEndian: bytes.loadUnaligned(as: Int32.self))))
        case ("b1", 1): return .bool(bytes[0] != 0)
        default: throw bad("an unsupported scalar type '\(dtype.descr)' of \(bytes.count) bytes")
        }
    }
}
