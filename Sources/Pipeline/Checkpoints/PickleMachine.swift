/// A pickle virtual machine for checkpoints. It implements the binary opcodes of protocols 1–5 that
/// checkpoint writers emit and resolves globals only through the `PickleGlobal` allow-list; every other
/// opcode or global is refused with an error naming the file, the byte offset and the opcode or global.
/// It never executes anything: allowed constructors are reproduced by Pivot's own code.
struct PickleMachine {
    /// Turns a persistent id (what `BINPERSID` pops) into a value, e.g. a zip entry's storage.
    typealias PersistentLoad = (_ pid: PickleValue, _ offset: Int) throws -> PickleValue

    var reader: ByteReader
    let persistentLoad: PersistentLoad
    /// How many `torch.save` blobs this pickle sits inside (0 for a file's own pickle).
    let nesting: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(_ reader: ByteReader, nesting: Int = 0, persistentLoad: @escaping PersistentLoad) {
        self.reader = reader
        self.nesting = nesting
        self.persistentLoad = persistentLoad
    }

    func fail(_ kind: CheckpointError.Kind, _ message: String, at offset: Int) -> CheckpointError {
        reader.error(kind, message, at: offset)
    }

    /// Runs opcodes up to `STOP` and returns the pickled value; `reader` is left just after the `STOP`.
    mutating func run() throws -> PickleValue {
        while true {
            let offset = reader.position
            let opcode = try reader.uint8("pickle opcode")
            if let result = try step(opcode, at: offset) { return result }
        }
    }

    // MARK: stack helpers

    private mutating func pop(_ offset: Int) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw fail(.malformed, "pickle stack underflow", at: offset) }
        return stack.removeLast()
    }

    private mutating func popToMark(_ offset: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail(.malformed, "pickle has no MARK to pop to", at: offset) }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func topIndex(_ offset: Int) throws -> Int {
        guard stack.count > (marks.last ?? 0) else { throw fail(.malformed, "pickle stack underflow", at: offset) }
        return stack.count - 1
    }

    private mutating func push(_ value: PickleValue) { stack.append(value) }

    private mutating func string(_ range: Range<Int>, at offset: Int) throws -> String {
        guard let text = reader.string(range) else { throw fail(.malformed, "string is not valid UTF-8", at: offset) }
        return text
    }

    private mutating func memoGet(_ index: Int, at offset: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw fail(.malformed, "memo slot \(index) is empty", at: offset) }
        return value
    }

    private mutating func memoPut(_ index: Int, at offset: Int) throws {
        memo[index] = stack[try topIndex(offset)]
    }

    private func resolve(module: String, name: String, at offset: Int) throws -> PickleValue {
        guard let global = PickleGlobal(module: module, name: name) else {
            throw fail(.refused, "pickle calls global '\(module).\(name)', which is not on the allow-list", at: offset)
        }
        return .global(global)
    }

    // MARK: opcodes

    /// Executes one opcode; returns the result at `STOP`.
    private mutating func step(_ opcode: UInt8, at offset: Int) throws -> PickleValue? {
        switch opcode {
        case 0x80: // PROTO
            let protocolVersion = try reader.uint8("protocol number")
            guard protocolVersion <= 5 else { throw fail(.unsupported, "pickle protocol \(protocolVersion)", at: offset) }
        case 0x95: // FRAME: framing is only a read-ahead hint
            _ = try reader.length(UInt64.self, "FRAME")
        case 0x2E: // STOP
            let result = try pop(offset)
            return result
        case 0x28: marks.append(stack.count)                   // MARK
        case 0x30: _ = try pop(offset)                         // POP
        case 0x31: _ = try popToMark(offset)                   // POP_MARK
        case 0x32: push(stack[try topIndex(offset)])           // DUP
        case 0x4E: push(.none)                                 // NONE
        case 0x88: push(.bool(true))                           // NEWTRUE
        case 0x89: push(.bool(false))                          // NEWFALSE
        case 0x4A: push(.int(Int(try reader.littleEndian(Int32.self, "BININT"))))
        case 0x4B: push(.int(Int(try reader.uint8("BININT1"))))
        case 0x4D: push(.int(Int(try reader.littleEndian(UInt16.self, "BININT2"))))
        case 0x8A: // LONG1
            let count = Int(try reader.uint8("LONG1 length"))
            push(Self.integer(Array(reader.slice.buffer.bytes[try reader.take(count, what: "LONG1")])))
        case 0x8B: // LONG4
            let count = try reader.length(Int32.self, "LONG4 length")
            push(Self.integer(Array(reader.slice.buffer.bytes[try reader.take(count, what: "LONG4")])))
        case 0x47: push(.float(try reader.bigEndianDouble("BINFLOAT")))
        case 0x55: // SHORT_BINSTRING (a Python 2 str)
            let count = Int(try reader.uint8("SHORT_BINSTRING length"))
            push(.string(try string(try reader.take(count, what: "SHORT_BINSTRING"), at: offset)))
        case 0x54: // BINSTRING
            let count = try reader.length(Int32.self, "BINSTRING length")
            push(.string(try string(try reader.take(count, what: "BINSTRING"), at: offset)))
        case 0x8C: // SHORT_BINUNICODE
            let count = Int(try reader.uint8("SHORT_BINUNICODE length"))
            push(.string(try string(try reader.take(count, what: "SHORT_BINUNICODE"), at: offset)))
        case 0x58: // BINUNICODE
            let count = try reader.length(UInt32.self, "BINUNICODE length")
            push(.string(try string(try reader.take(count, what: "BINUNICODE"), at: offset)))
        case 0x8D: // BINUNICODE8
            let count = try reader.length(UInt64.self, "BINUNICODE8 length")
            push(.string(try string(try reader.take(count, what: "BINUNICODE8"), at: offset)))
        case 0x43: // SHORT_BINBYTES
            let count = Int(try reader.uint8("SHORT_BINBYTES length"))
            push(.bytes(ByteSlice(reader.slice.buffer, try reader.take(count, what: "SHORT_BINBYTES"))))
        case 0x42: // BINBYTES
            let count = try reader.length(UInt32.self, "BINBYTES length")
            push(.bytes(ByteSlice(reader.slice.buffer, try reader.take(count, what: "BINBYTES"))))
        case 0x8E: // BINBYTES8
            let count = try reader.length(UInt64.self, "BINBYTES8 length")
            push(.bytes(ByteSlice(reader.slice.buffer, try reader.take(count, what: "BINBYTES8"))))
        case 0x29: push(.tuple([]))                            // EMPTY_TUPLE
        case 0x74: push(.tuple(try popToMark(offset)))         // TUPLE
        case 0x85, 0x86, 0x87:                                 // TUPLE1, TUPLE2, TUPLE3
            var items = [PickleValue]()
            for _ in 0..<Int(opcode - 0x84) { items.insert(try pop(offset), at: 0) }
            push(.tuple(items))
        case 0x5D: push(.list(PickleList()))                   // EMPTY_LIST
        case 0x6C: push(.list(PickleList(try popToMark(offset)))) // LIST
        case 0x61: // APPEND
            let value = try pop(offset)
            try list(at: try topIndex(offset), offset).items.append(value)
        case 0x65: // APPENDS
            let values = try popToMark(offset)
            try list(at: try topIndex(offset), offset).items.append(contentsOf: values)
        case 0x7D: push(.dict(PickleDict()))                   // EMPTY_DICT
        case 0x64: // DICT
            let dict = PickleDict()
            try setItems(try popToMark(offset), into: dict, offset)
            push(.dict(dict))
        case 0x73: // SETITEM
            let value = try pop(offset)
            let key = try pop(offset)
            try dict(at: try topIndex(offset), offset).set(key, value)
        case 0x75: // SETITEMS
            let items = try popToMark(offset)
            try setItems(items, into: try dict(at: try topIndex(offset), offset), offset)
        case 0x8F: push(.set(PickleList()))                    // EMPTY_SET
        case 0x90: // ADDITEMS
            let items = try popToMark(offset)
            guard case .set(let set) = stack[try topIndex(offset)] else {
                throw fail(.malformed, "ADDITEMS on a non-set", at: offset)
            }
            set.items.append(contentsOf: items)
        case 0x91: push(.set(PickleList(try popToMark(offset)))) // FROZENSET
        case 0x63: // GLOBAL
            let module = try string(try reader.line("GLOBAL module"), at: offset)
            let name = try string(try reader.line("GLOBAL name"), at: offset)
            push(try resolve(module: module, name: name, at: offset))
        case 0x93: // STACK_GLOBAL
            let name = try pop(offset)
            let module = try pop(offset)
            guard let moduleName = module.stringValue, let globalName = name.stringValue else {
                throw fail(.malformed, "STACK_GLOBAL needs two strings", at: offset)
            }
            push(try resolve(module: moduleName, name: globalName, at: offset))
        case 0x52: // REDUCE
            let arguments = try pop(offset)
            let callable = try pop(offset)
            push(try call(callable, arguments, at: offset))
        case 0x81: // NEWOBJ: cls.__new__(cls, *args); for the allowed classes the same as calling them
            let arguments = try pop(offset)
            let callable = try pop(offset)
            push(try call(callable, arguments, at: offset))
        case 0x92: // NEWOBJ_EX: keyword arguments are not used by any allowed class
            let keywords = try pop(offset)
            let arguments = try pop(offset)
            let callable = try pop(offset)
            guard case .dict(let kw) = keywords, kw.count == 0 else {
                throw fail(.refused, "NEWOBJ_EX with keyword arguments", at: offset)
            }
            push(try call(callable, arguments, at: offset))
        case 0x62: // BUILD
            let state = try pop(offset)
            try build(stack[try topIndex(offset)], with: state, at: offset)
        case 0x51: // BINPERSID
            let pid = try pop(offset)
            push(try persistentLoad(pid, offset))
        case 0x68: push(try memoGet(Int(try reader.uint8("BINGET")), at: offset))
        case 0x6A: push(try memoGet(Int(try reader.littleEndian(UInt32.self, "LONG_BINGET")), at: offset))
        case 0x71: try memoPut(Int(try reader.uint8("BINPUT")), at: offset)
        case 0x72: try memoPut(Int(try reader.littleEndian(UInt32.self, "LONG_BINPUT")), at: offset)
        case 0x94: try memoPut(memo.count, at: offset)         // MEMOIZE
        default:
            throw fail(.refused, "pickle opcode \(Self.opcodeName(opcode)) is not supported", at: offset)
        }
        return nil
    }

    private func list(at index: Int, _ offset: Int) throws -> PickleList {
        guard case .list(let list) = stack[index] else {
            throw fail(.malformed, "append to a \(stack[index].kindName), not a list", at: offset)
        }
        return list
    }

    /// The dict that SETITEM(S) fill: a dict, or an object whose state is a dict (EasyDict, Namespace).
    private func dict(at index: Int, _ offset: Int) throws -> PickleDict {
        guard case .dict(let dict) = stack[index] else {
            throw fail(.malformed, "set items on a \(stack[index].kindName), not a dict", at: offset)
        }
        return dict
    }

    private func setItems(_ items: [PickleValue], into dict: PickleDict, _ offset: Int) throws {
        guard items.count % 2 == 0 else { throw fail(.malformed, "odd number of dict items", at: offset) }
        for pair in stride(from: 0, to: items.count, by: 2) { dict.set(items[pair], items[pair + 1]) }
    }

    /// Decodes a little-endian two's complement integer (LONG1/LONG4).
    static func integer(_ bytes: [UInt8]) -> PickleValue {
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        guard let last = bytes.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0   // sign-extend
        for byte in bytes.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int(Int64(bitPattern: value)))
    }

    static func opcodeName(_ opcode: UInt8) -> String {
        let hex = "0x" + String(opcode, radix: 16, uppercase: true)
        let names: [UInt8: String] = [
            0x69: "INST", 0x6F: "OBJ", 0x49: "INT", 0x4C: "LONG", 0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE",
            0x67: "GET", 0x70: "PUT", 0x50: "PERSID", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
            0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        ]
        return names[opcode].map { "\($0) (\(hex))" } ?? hex
    }
}
