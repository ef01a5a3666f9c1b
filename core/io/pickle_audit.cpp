#include "core/io/pickle_audit.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <set>

namespace tau::core {

namespace {

/** What the walk knows of a value on the pickle's stack: only as much as the checks need. */
struct Value
{
    enum class Kind { Mark, Int, Text, Global, Tuple, Storage, Tensor, Other };
    Kind kind = Kind::Other;
    int64_t number = 0;                               ///< Int; Storage: its element count
    std::shared_ptr<const std::string> text;          ///< Text (short ones only), Global ("module.name"), Storage key
    std::shared_ptr<const std::vector<Value>> items;  ///< Tuple
    int64_t itemSize = 0;                             ///< Storage: bytes per element
};

constexpr size_t kLongestKeptText = 4096; // keys, devices and names are short; longer texts are only skipped
/** The values a walk may create: a torch pickle holds thousands; the walk's own memory stays below ~0.5 GB. */
constexpr uint64_t kMostValues = uint64_t(1) << 22;

Value mark()
{
    Value value;
    value.kind = Value::Kind::Mark;
    return value;
}

Value integer(int64_t number)
{
    Value value;
    value.kind = Value::Kind::Int;
    value.number = number;
    return value;
}

Value text(Value::Kind kind, std::string content)
{
    Value value;
    value.kind = kind;
    value.text = std::make_shared<const std::string>(std::move(content));
    return value;
}

/** Bytes per element of a storage class (torch.FloatStorage) or of a ScalarType number; 0 when unknown. */
int64_t elementSize(const Value& type)
{
    static const std::map<std::string, int64_t> byClass = {
        {"torch.ByteStorage", 1},        {"torch.CharStorage", 1},         {"torch.ShortStorage", 2},
        {"torch.IntStorage", 4},         {"torch.LongStorage", 8},         {"torch.HalfStorage", 2},
        {"torch.FloatStorage", 4},       {"torch.DoubleStorage", 8},       {"torch.ComplexHalfStorage", 4},
        {"torch.ComplexFloatStorage", 8}, {"torch.ComplexDoubleStorage", 16}, {"torch.BoolStorage", 1},
        {"torch.BFloat16Storage", 2},    {"torch.QInt8Storage", 1},        {"torch.QUInt8Storage", 1},
        {"torch.QInt32Storage", 4},      {"torch.QUInt4x2Storage", 1},     {"torch.QUInt2x4Storage", 1},
        {"torch.UntypedStorage", 1},     {"torch.storage.UntypedStorage", 1}}; // the last: PyTorch 2.x, by bytes
    // c10::ScalarType in declaration order: Byte, Char, Short, Int, Long, Half, Float, Double, ComplexHalf,
    // ComplexFloat, ComplexDouble, Bool, QInt8, QUInt8, QInt32, BFloat16, QUInt4x2, QUInt2x4.
    static const int64_t byScalarType[] = {1, 1, 2, 4, 8, 2, 4, 8, 4, 8, 16, 1, 1, 1, 4, 2, 1, 1};
    if (type.kind == Value::Kind::Global) {
        const auto found = byClass.find(*type.text);
        return found == byClass.end() ? 0 : found->second;
    }
    if (type.kind == Value::Kind::Int && type.number >= 0 && type.number < int64_t(std::size(byScalarType))) {
        return byScalarType[type.number];
    }
    return 0;
}

/**
 * Bytes per element of a dtype as Python pickles it (GLOBAL torch.uint16): the dtype argument of
 * _rebuild_tensor_v3, which PyTorch 2.x writes for the dtypes without a typed storage class, over an UntypedStorage
 * counted in bytes. 0 when unknown.
 */
int64_t dtypeSize(const Value& dtype)
{
    static const std::map<std::string, int64_t> byName = {
        {"torch.uint8", 1},          {"torch.int8", 1},           {"torch.int16", 2},          {"torch.int32", 4},
        {"torch.int64", 8},          {"torch.float16", 2},        {"torch.float32", 4},        {"torch.float64", 8},
        {"torch.complex32", 4},      {"torch.complex64", 8},      {"torch.complex128", 16},    {"torch.bool", 1},
        {"torch.bfloat16", 2},       {"torch.uint16", 2},         {"torch.uint32", 4},         {"torch.uint64", 8},
        {"torch.float8_e4m3fn", 1},  {"torch.float8_e5m2", 1},    {"torch.float8_e4m3fnuz", 1}, {"torch.float8_e5m2fnuz", 1},
        {"torch.float8_e8m0fnu", 1}};
    if (dtype.kind != Value::Kind::Global) {
        return 0;
    }
    const auto found = byName.find(*dtype.text);
    return found == byName.end() ? 0 : found->second;
}

std::string shapeText(const std::vector<Value>& sizes)
{
    std::string shape = "[";
    for (size_t i = 0; i < sizes.size(); ++i) {
        shape += (i > 0 ? ", " : "") + std::to_string(sizes[i].number);
    }
    return shape + "]";
}

class PickleWalk
{
public:
    PickleWalk(const uint8_t* data, size_t size, const StorageRecordSize& storageRecord)
        : m_data(data)
        , m_size(size)
        , m_storageRecord(storageRecord)
    {
    }

    PickleAudit run()
    {
        while (m_audit.problem.empty()) {
            if (m_at >= m_size) {
                fail("it ends without a STOP opcode (cut short)");
                break;
            }
            const size_t start = m_at;
            const uint8_t opcode = m_data[m_at++];
            if (opcode == '.') {
                break;
            }
            step(opcode, start);
        }
        return std::move(m_audit);
    }

private:
    void fail(const std::string& problem)
    {
        if (m_audit.problem.empty()) {
            m_audit.problem = problem;
        }
    }

    bool has(uint64_t count) const { return count <= m_size - m_at; }

    /** Little-endian unsigned integer of @p width bytes at the cursor, which moves past it. */
    uint64_t readUnsigned(int width)
    {
        if (!has(uint64_t(width))) {
            fail("an opcode's argument runs past the end");
            m_at = m_size;
            return 0;
        }
        uint64_t value = 0;
        for (int i = width - 1; i >= 0; --i) {
            value = (value << 8) | m_data[m_at + size_t(i)];
        }
        m_at += size_t(width);
        return value;
    }

    /** The text up to the next newline (protocol 0 arguments); the cursor moves past the newline. */
    std::string readLine()
    {
        const void* newline = std::memchr(m_data + m_at, '\n', m_size - m_at);
        if (newline == nullptr) {
            fail("a text argument has no end of line");
            m_at = m_size;
            return {};
        }
        const size_t end = size_t(static_cast<const uint8_t*>(newline) - m_data);
        std::string line(reinterpret_cast<const char*>(m_data + m_at), end - m_at);
        m_at = end + 1;
        return line;
    }

    /** A run of @p length bytes that the opcode at @p start declares: it must lie inside the pickle. */
    void takeBytes(uint64_t length, size_t start, bool keepText)
    {
        if (!has(length)) {
            fail("the opcode at byte " + std::to_string(start) + " declares " + std::to_string(length) +
                 " bytes where " + std::to_string(m_size - m_at) + " remain");
            m_at = m_size;
            return;
        }
        if (keepText && length <= kLongestKeptText) {
            push(text(Value::Kind::Text, std::string(reinterpret_cast<const char*>(m_data + m_at), size_t(length))));
        } else {
            push(Value{});
        }
        m_at += size_t(length);
    }

    /** Counts one more value the walk keeps; false (the walk ends with the problem said) past kMostValues. */
    bool keepOneMore()
    {
        if (++m_values <= kMostValues) {
            return true;
        }
        fail("it builds more than " + std::to_string(kMostValues) + " values, more than any torch file holds");
        m_at = m_size;
        return false;
    }

    void push(Value value)
    {
        if (keepOneMore()) {
            m_stack.push_back(std::move(value));
        }
    }

    Value pop()
    {
        if (m_stack.empty() || m_stack.back().kind == Value::Kind::Mark) {
            fail("an opcode takes a value from an empty stack (malformed pickle)");
            return Value{};
        }
        Value value = std::move(m_stack.back());
        m_stack.pop_back();
        return value;
    }

    std::vector<Value> popToMark()
    {
        size_t mark = m_stack.size();
        while (mark > 0 && m_stack[mark - 1].kind != Value::Kind::Mark) {
            --mark;
        }
        if (mark == 0) {
            fail("an opcode needs a MARK that is not there (malformed pickle)");
            return {};
        }
        std::vector<Value> items(std::make_move_iterator(m_stack.begin() + long(mark)),
                                 std::make_move_iterator(m_stack.end()));
        m_stack.resize(mark - 1);
        return items;
    }

    void pushTuple(std::vector<Value> items)
    {
        Value value;
        value.kind = Value::Kind::Tuple;
        value.items = std::make_shared<const std::vector<Value>>(std::move(items));
        push(std::move(value));
    }

    void pushGlobal(const std::string& module, const std::string& name)
    {
        const std::string global = module + "." + name;
        if (m_seenGlobals.insert(global).second) {
            m_audit.globals.push_back(global);
        }
        push(text(Value::Kind::Global, global));
    }

    /** PUT, BINPUT, LONG_BINPUT: LibTorch fills every slot up to the one named, so a far slot is a huge allocation. */
    void memoize(uint64_t slot)
    {
        if (m_stack.empty()) {
            fail("a memo opcode with nothing to remember (malformed pickle)");
            return;
        }
        // Pickles number their memo slots in order (Python's pickler and LibTorch's alike): a gap is a declaration.
        if (slot > m_memo.size()) {
            fail("it names memo slot " + std::to_string(slot) + " after " + std::to_string(m_memo.size()) +
                 " slots (pickles fill them in order; LibTorch would fill every slot up to it)");
            return;
        }
        if (slot == m_memo.size()) {
            if (!keepOneMore()) {
                return;
            }
            m_memo.emplace_back();
        }
        m_memo[size_t(slot)] = m_stack.back();
    }

    void recall(uint64_t slot)
    {
        if (slot >= m_memo.size()) {
            fail("it recalls memo slot " + std::to_string(slot) + ", which was never filled");
            return;
        }
        push(m_memo[size_t(slot)]);
    }

    /** A persistent id ('storage', type, key, location, count): the record named by key must hold count elements. */
    void persistentStorage(const Value& id)
    {
        const std::vector<Value>* fields = id.kind == Value::Kind::Tuple ? id.items.get() : nullptr;
        if (fields == nullptr || fields->size() != 5 || (*fields)[0].kind != Value::Kind::Text ||
            *(*fields)[0].text != "storage" || (*fields)[2].kind != Value::Kind::Text ||
            (*fields)[4].kind != Value::Kind::Int) {
            fail("a persistent id that is not ('storage', type, key, location, count)");
            return;
        }
        const std::string& key = *(*fields)[2].text;
        const int64_t itemSize = elementSize((*fields)[1]);
        const int64_t count = (*fields)[4].number;
        if (itemSize == 0) {
            fail("storage " + key + " has a type LibTorch does not know");
            return;
        }
        if (count < 0 || uint64_t(count) > UINT64_MAX / uint64_t(itemSize)) {
            fail("storage " + key + " declares " + std::to_string(count) + " elements");
            return;
        }
        const uint64_t bytes = uint64_t(count) * uint64_t(itemSize);
        if (count > 0) {
            const std::optional<uint64_t> recordSize = m_storageRecord(key);
            if (!recordSize) {
                fail("storage " + key + " has no record in the archive");
                return;
            }
            if (bytes > *recordSize) {
                fail("storage " + key + " declares " + std::to_string(count) + " elements (" + std::to_string(bytes) +
                     " bytes), its record holds " + std::to_string(*recordSize) + " bytes");
                return;
            }
        }
        if (m_seenStorages.insert(key).second) {
            m_audit.storageBytes += bytes;
        }
        Value storage = text(Value::Kind::Storage, key);
        storage.number = count;
        storage.itemSize = itemSize;
        push(std::move(storage));
    }

    /**
     * _rebuild_tensor_v2(storage, offset, size, stride, ...) and _rebuild_tensor_v3(..., dtype, ...): the view must lie
     * inside the storage. @p viewItemSize is v3's dtype size (its storage is untyped: counted in bytes); 0 for v2,
     * whose storage has the tensor's own type.
     */
    void rebuildTensor(const Value& arguments, int64_t viewItemSize = 0)
    {
        const std::vector<Value>* fields = arguments.kind == Value::Kind::Tuple ? arguments.items.get() : nullptr;
        if (fields == nullptr || fields->size() < 4 || (*fields)[0].kind != Value::Kind::Storage ||
            (*fields)[1].kind != Value::Kind::Int || (*fields)[2].kind != Value::Kind::Tuple ||
            (*fields)[3].kind != Value::Kind::Tuple) {
            fail("a tensor rebuilt from something other than (storage, offset, size, stride)");
            return;
        }
        const Value& storage = (*fields)[0];
        const int64_t itemSize = viewItemSize > 0 ? viewItemSize : storage.itemSize;
        const int64_t storageElements = storage.number * storage.itemSize / itemSize; // counts were checked: no overflow
        const std::vector<Value>& sizes = *(*fields)[2].items;
        const std::vector<Value>& strides = *(*fields)[3].items;
        if (sizes.size() != strides.size()) {
            fail("a tensor of storage " + *storage.text + " has " + std::to_string(sizes.size()) + " sizes and " +
                 std::to_string(strides.size()) + " strides");
            return;
        }
        // The last element the view touches, in elements of the storage; 128 bits so no product overflows.
        __int128 last = (*fields)[1].number;
        bool empty = false;
        for (size_t d = 0; d < sizes.size(); ++d) {
            if (sizes[d].kind != Value::Kind::Int || strides[d].kind != Value::Kind::Int || sizes[d].number < 0 ||
                strides[d].number < 0) {
                fail("a tensor of storage " + *storage.text + " has a size or stride that is not a count");
                return;
            }
            empty = empty || sizes[d].number == 0;
            last += __int128(sizes[d].number > 0 ? sizes[d].number - 1 : 0) * strides[d].number;
        }
        if ((*fields)[1].number < 0 || (!empty && last >= storageElements)) {
            fail("a tensor of shape " + shapeText(sizes) + " at offset " + std::to_string((*fields)[1].number) +
                 " reaches past the " + std::to_string(storageElements) + " elements of storage " + *storage.text);
            return;
        }
        countDenseBytes(sizes, itemSize);
        Value tensor;
        tensor.kind = Value::Kind::Tensor;
        push(std::move(tensor));
    }

    /** What the view holds once copied: its elements times their size, saturating instead of wrapping. */
    void countDenseBytes(const std::vector<Value>& sizes, int64_t itemSize)
    {
        constexpr unsigned __int128 kSaturated = UINT64_MAX;
        unsigned __int128 bytes = uint64_t(itemSize);
        for (const Value& side : sizes) {
            bytes = std::min(bytes * uint64_t(side.number), kSaturated); // sides are at most 2^63: no overflow
        }
        const auto dense = uint64_t(bytes);
        if (dense > m_largestTensorBytes || m_audit.largestTensor.empty()) {
            m_largestTensorBytes = dense;
            m_audit.largestTensor = "shape " + shapeText(sizes) + ", " + std::to_string(dense) + " bytes";
        }
        m_audit.tensorBytes = dense > UINT64_MAX - m_audit.tensorBytes ? UINT64_MAX : m_audit.tensorBytes + dense;
    }

    void reduce()
    {
        const Value arguments = pop();
        const Value callable = pop();
        if (!m_audit.problem.empty()) {
            return;
        }
        const std::string name = callable.kind == Value::Kind::Global ? *callable.text : std::string();
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor" ||
            name == "torch._utils._rebuild_qtensor") {
            rebuildTensor(arguments);
        } else if (name == "torch._utils._rebuild_tensor_v3") {
            const std::vector<Value>* fields = arguments.kind == Value::Kind::Tuple ? arguments.items.get() : nullptr;
            const int64_t itemSize = fields != nullptr && fields->size() >= 7 ? dtypeSize((*fields)[6]) : 0;
            if (itemSize == 0) {
                fail("a tensor rebuilt (v3) without a dtype LibTorch knows");
                return;
            }
            rebuildTensor(arguments, itemSize);
        } else {
            push(Value{});
        }
    }

    void step(uint8_t opcode, size_t start)
    {
        switch (opcode) {
        case '(': push(mark()); break;                                           // MARK
        case '0': pop(); break;                                                   // POP
        case '1': popToMark(); break;                                             // POP_MARK
        case '2':                                                                 // DUP
            if (m_stack.empty()) {
                fail("DUP on an empty stack");
            } else {
                push(m_stack.back());
            }
            break;
        case 'I': case 'L': {                                                     // INT, LONG (text)
            const std::string line = readLine();
            push(line.size() < 19 ? integer(std::strtoll(line.c_str(), nullptr, 10)) : Value{});
            break;
        }
        case 'J': push(integer(int32_t(uint32_t(readUnsigned(4))))); break;      // BININT
        case 'K': push(integer(int64_t(readUnsigned(1)))); break;                // BININT1
        case 'M': push(integer(int64_t(readUnsigned(2)))); break;                // BININT2
        case 0x8a: case 0x8b: {                                                   // LONG1, LONG4
            const uint64_t length = readUnsigned(opcode == 0x8a ? 1 : 4);
            if (!has(length)) {
                takeBytes(length, start, false);
                break;
            }
            if (length == 0 || length > 8) {
                m_at += size_t(length);
                push(length == 0 ? integer(0) : Value{});
                break;
            }
            uint64_t bits = readUnsigned(int(length));
            if (length < 8 && (bits >> (8 * length - 1)) != 0) {
                bits |= ~uint64_t(0) << (8 * length); // negative: extend the sign
            }
            push(integer(int64_t(bits)));
            break;
        }
        case 'F': readLine(); push(Value{}); break;                               // FLOAT
        case 'G': readUnsigned(8); push(Value{}); break;                          // BINFLOAT
        case 'N': case 0x88: case 0x89: push(Value{}); break;                     // NONE, NEWTRUE, NEWFALSE
        case 'S': case 'V': {                                                     // STRING, UNICODE (text)
            std::string line = readLine();
            if (opcode == 'S' && line.size() >= 2) {
                line = line.substr(1, line.size() - 2); // the quotes of its repr
            }
            push(line.size() <= kLongestKeptText ? text(Value::Kind::Text, line) : Value{});
            break;
        }
        case 'T': case 'X': takeBytes(readUnsigned(4), start, true); break;       // BINSTRING, BINUNICODE
        case 'U': case 0x8c: takeBytes(readUnsigned(1), start, true); break;      // SHORT_BINSTRING, SHORT_BINUNICODE
        case 0x8d: takeBytes(readUnsigned(8), start, true); break;                // BINUNICODE8
        case 'B': takeBytes(readUnsigned(4), start, false); break;                // BINBYTES
        case 'C': takeBytes(readUnsigned(1), start, false); break;                // SHORT_BINBYTES
        case 0x8e: case 0x96: takeBytes(readUnsigned(8), start, false); break;    // BINBYTES8, BYTEARRAY8
        case ')': pushTuple({}); break;                                           // EMPTY_TUPLE
        case 't': pushTuple(popToMark()); break;                                  // TUPLE
        case 0x85: case 0x86: case 0x87: {                                        // TUPLE1, TUPLE2, TUPLE3
            std::vector<Value> items(size_t(opcode - 0x84));
            for (size_t i = items.size(); i > 0; --i) {
                items[i - 1] = pop();
            }
            pushTuple(std::move(items));
            break;
        }
        case ']': case '}': case 0x8f: push(Value{}); break;                      // EMPTY_LIST, EMPTY_DICT, EMPTY_SET
        case 'l': case 'd': case 0x91: popToMark(); push(Value{}); break;         // LIST, DICT, FROZENSET
        case 'a': pop(); break;                                                   // APPEND
        case 'e': case 'u': case 0x90: popToMark(); break;                        // APPENDS, SETITEMS, ADDITEMS
        case 's': pop(); pop(); break;                                            // SETITEM
        case 'b': pop(); break;                                                   // BUILD
        case 'c': {                                                               // GLOBAL
            const std::string module = readLine();
            const std::string name = readLine();
            pushGlobal(module, name);
            break;
        }
        case 0x93: {                                                              // STACK_GLOBAL
            const Value name = pop();
            const Value module = pop();
            if (name.kind != Value::Kind::Text || module.kind != Value::Kind::Text) {
                fail("STACK_GLOBAL without a module and a name");
                break;
            }
            pushGlobal(*module.text, *name.text);
            break;
        }
        case 'i': {                                                               // INST
            const std::string module = readLine();
            const std::string name = readLine();
            popToMark();
            pushGlobal(module, name);
            pop();
            push(Value{});
            break;
        }
        case 'o': popToMark(); push(Value{}); break;                              // OBJ
        case 'R': reduce(); break;                                                // REDUCE
        case 0x81: pop(); pop(); push(Value{}); break;                            // NEWOBJ
        case 0x92: pop(); pop(); pop(); push(Value{}); break;                     // NEWOBJ_EX
        case 'Q': persistentStorage(pop()); break;                                // BINPERSID
        case 'P': fail("a text persistent id (LibTorch reads only binary ones)"); break; // PERSID
        case 'p': memoize(std::strtoull(readLine().c_str(), nullptr, 10)); break; // PUT
        case 'q': memoize(readUnsigned(1)); break;                                // BINPUT
        case 'r': memoize(readUnsigned(4)); break;                                // LONG_BINPUT
        case 0x94: memoize(m_memo.size()); break;                                 // MEMOIZE
        case 'g': recall(std::strtoull(readLine().c_str(), nullptr, 10)); break;  // GET
        case 'h': recall(readUnsigned(1)); break;                                 // BINGET
        case 'j': recall(readUnsigned(4)); break;                                 // LONG_BINGET
        case 0x80: readUnsigned(1); break;                                        // PROTO
        case 0x95: {                                                              // FRAME
            const uint64_t length = readUnsigned(8);
            if (!has(length)) {
                fail("a frame declares " + std::to_string(length) + " bytes where " + std::to_string(m_size - m_at) +
                     " remain");
            }
            break;
        }
        case 0x82: case 0x83: case 0x84:                                          // EXT1, EXT2, EXT4
            fail("an extension-registry opcode (not written by torch)");
            break;
        case 0x97: case 0x98:                                                     // NEXT_BUFFER, READONLY_BUFFER
            fail("an out-of-band buffer opcode (not written by torch)");
            break;
        default: {
            char code[8];
            std::snprintf(code, sizeof code, "0x%02x", opcode);
            fail(std::string("unknown opcode ") + code + " at byte " + std::to_string(start));
        }
        }
    }

    const uint8_t* m_data;
    size_t m_size;
    size_t m_at = 0;
    const StorageRecordSize& m_storageRecord;
    std::vector<Value> m_stack;
    std::vector<Value> m_memo;
    uint64_t m_values = 0; ///< values pushed and memo slots filled, all told
    std::set<std::string> m_seenGlobals;
    std::set<std::string> m_seenStorages;
    PickleAudit m_audit;
    uint64_t m_largestTensorBytes = 0;
};

} // namespace

PickleAudit auditPickle(const uint8_t* data, size_t size, const StorageRecordSize& storageRecord)
{
    return PickleWalk(data, size, storageRecord).run();
}

} // namespace tau::core
