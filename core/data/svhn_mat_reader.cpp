#include "core/data/svhn_mat_reader.h"

#include "core/common/error.h"
#include "core/common/memory_budget.h"

#include <matio.h>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

namespace tau::core {

namespace {

struct MatFileCloser
{
    void operator()(mat_t* file) const { Mat_Close(file); }
};
struct MatVarFreer
{
    void operator()(matvar_t* variable) const { Mat_VarFree(variable); }
};
using MatFile = std::unique_ptr<mat_t, MatFileCloser>;
using MatVar = std::unique_ptr<matvar_t, MatVarFreer>;

MatVar readVariable(mat_t* file, const char* name, const std::string& path)
{
    MatVar variable(Mat_VarRead(file, name));
    if (!variable) {
        throw DataError(path + ": no variable '" + name + "' (expected X, the images, and y, the labels, as in "
                        "SVHN's train_32x32.mat)");
    }
    return variable;
}

/** Label values of y, whatever numeric class MATLAB stored them in. */
double labelAt(const matvar_t* y, size_t i)
{
    switch (y->class_type) {
    case MAT_C_DOUBLE: return static_cast<const double*>(y->data)[i];
    case MAT_C_SINGLE: return static_cast<const float*>(y->data)[i];
    case MAT_C_UINT8: return static_cast<const uint8_t*>(y->data)[i];
    case MAT_C_INT32: return static_cast<const int32_t*>(y->data)[i];
    default: return -1;
    }
}

constexpr size_t kHeaderSize = 128;
constexpr uint64_t kMaxImages = 10'000'000; // SVHN's extra split has 531,131: anything far larger is corrupt

/**
 * SVHN ships MATLAB 5 files: a 116-byte text header starting "MATLAB 5.0 MAT-file", version 0x0100 and the
 * endian mark "IM" or "MI". Checking this before matio sees the file keeps other layouts (v4, whose header
 * sizes matio trusts) away from it.
 */
void checkMatlab5Header(const std::string& path)
{
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        throw DataError(path + ": file not found or not readable");
    }
    unsigned char header[kHeaderSize] = {};
    const size_t read = std::fread(header, 1, kHeaderSize, file);
    std::fclose(file);
    const std::string text(reinterpret_cast<const char*>(header), 19);
    const bool endianMark = (header[126] == 'I' && header[127] == 'M') || (header[126] == 'M' && header[127] == 'I');
    if (read < kHeaderSize || text != "MATLAB 5.0 MAT-file" || !endianMark) {
        throw DataError(path + ": not a MATLAB 5 .mat file (expected the \"MATLAB 5.0 MAT-file\" header of SVHN's "
                               "train_32x32.mat and test_32x32.mat)");
    }
}

constexpr uint32_t kMiMatrix = 14;
constexpr uint32_t kMiCompressed = 15;

uint32_t readU32(const uint8_t* bytes, bool swap)
{
    uint32_t value = 0;
    std::memcpy(&value, bytes, 4);
    return swap ? __builtin_bswap32(value) : value;
}

/** Inflates a compressed element only to learn its size and keep its first bytes (the inner tags). */
uint64_t inflatedSize(const uint8_t* data, size_t size, std::vector<uint8_t>& head)
{
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) {
        return 0;
    }
    stream.next_in = const_cast<Bytef*>(data);
    stream.avail_in = uInt(size);
    std::vector<uint8_t> buffer(1 << 16);
    uint64_t total = 0;
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = buffer.data();
        stream.avail_out = uInt(buffer.size());
        status = inflate(&stream, Z_NO_FLUSH);
        const size_t produced = buffer.size() - stream.avail_out;
        if (head.size() < 256) {
            head.insert(head.end(), buffer.begin(), buffer.begin() + long(std::min<size_t>(produced, 256 - head.size())));
        }
        total += produced;
        if (produced == 0 && status == Z_OK) {
            break;
        }
    }
    inflateEnd(&stream);
    return total;
}

/** The product of a dims subelement's int32 extents (at most 2^62: more is the same verdict). */
uint64_t declaredElements(const uint8_t* dims, uint64_t length, bool swap)
{
    uint64_t elements = 1;
    for (uint64_t at = 0; at + 4 <= length; at += 4) {
        const uint64_t extent = readU32(dims + at, swap);
        elements = extent != 0 && elements > (uint64_t(1) << 62) / extent ? uint64_t(1) << 62 : elements * extent;
    }
    return elements;
}

/**
 * Checks that every size a miMATRIX element declares (its dimensions, its name, its data) fits inside the
 * element, and that its data holds at least a byte per declared element: matio allocates what the dimensions
 * declare, so a small file declaring a huge array must be caught here first.
 */
void checkMatrixElement(const uint8_t* body, uint64_t available, uint64_t size, bool swap, const std::string& path)
{
    // Tags are read from the first `available` bytes; what they declare is checked against the whole `size`.
    uint64_t offset = 0;
    uint64_t arrayClass = 0, elements = 0;
    for (int subelement = 0; subelement < 4 && offset + 8 <= std::min(available, size); ++subelement) {
        const uint32_t first = readU32(body + offset, swap);
        const bool small = (first >> 16) != 0; // small data element: size in the upper half, data in the tag
        const uint64_t length = small ? (first >> 16) : readU32(body + offset + 4, swap);
        if (small ? length > 4 : length > size - offset - 8) {
            throw DataError(path + ": corrupt .mat file (a variable declares " + std::to_string(length) +
                            " bytes where " + std::to_string(size - offset) + " remain)");
        }
        const uint8_t* data = body + offset + (small ? 4 : 8);
        const bool readable = offset + (small ? 4 : 8) + length <= available;
        if (subelement == 0 && length >= 4 && readable) {
            arrayClass = readU32(data, swap) & 0xFF;
        } else if (subelement == 1 && readable) {
            elements = declaredElements(data, length, swap);
        } else if (subelement == 3 && (arrayClass == 4 || (arrayClass >= 6 && arrayClass <= 15)) && elements > length) {
            // numeric and char arrays store every element in at least one byte
            throw DataError(path + ": corrupt .mat file (a variable declares " + std::to_string(elements) +
                            " elements and holds " + std::to_string(length) + " bytes of data)");
        }
        offset += small ? 8 : 8 + ((length + 7) / 8) * 8;
    }
}

/** Walks the top-level elements after the header, checking each declared size against the file. */
void checkElements(const std::string& path)
{
    const std::vector<uint8_t> bytes = readWholeFile(path);
    const bool swap = bytes[126] == 'M'; // "MI" written by a machine of the other byte order
    size_t offset = kHeaderSize;
    while (offset + 8 <= bytes.size()) {
        const uint32_t type = readU32(bytes.data() + offset, swap);
        const uint64_t size = readU32(bytes.data() + offset + 4, swap);
        if (size > bytes.size() - offset - 8) {
            throw DataError(path + ": corrupt or truncated .mat file (an element declares " + std::to_string(size) +
                            " bytes, " + std::to_string(bytes.size() - offset - 8) + " remain)");
        }
        const uint8_t* body = bytes.data() + offset + 8;
        if (type == kMiMatrix) {
            checkMatrixElement(body, size, size, swap, path);
        } else if (type == kMiCompressed) {
            std::vector<uint8_t> head;
            const uint64_t inflated = inflatedSize(body, size, head);
            if (head.size() < 8 || readU32(head.data(), swap) != kMiMatrix ||
                readU32(head.data() + 4, swap) > inflated - 8) {
                throw DataError(path + ": corrupt .mat file (a compressed variable does not inflate to what it declares)");
            }
            checkMatrixElement(head.data() + 8, head.size() - 8, readU32(head.data() + 4, swap), swap, path);
        }
        offset += 8 + size;
    }
}

/** Reads only a variable's header, so its shape can be checked before its data is allocated. */
MatVar readVariableInfo(mat_t* file, const char* name, const std::string& path)
{
    MatVar variable(Mat_VarReadInfo(file, name));
    if (!variable) {
        throw DataError(path + ": no variable '" + name + "' (expected X, the images, and y, the labels, as in "
                        "SVHN's train_32x32.mat)");
    }
    return variable;
}

uint64_t elementCount(const matvar_t* variable)
{
    uint64_t count = 1;
    for (int d = 0; d < variable->rank; ++d) {
        count *= variable->dims[d];
        if (count > kMaxImages * 3072) {
            break;
        }
    }
    return count;
}

} // namespace

RawImages readSvhnMat(const std::string& path)
{
    checkMatlab5Header(path);
    checkElements(path);
    MatFile file(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
    if (!file) {
        throw DataError(path + ": not found, or not a MATLAB .mat file");
    }
    {
        const MatVar xInfo = readVariableInfo(file.get(), "X", path);
        if (xInfo->rank != 4 || xInfo->class_type != MAT_C_UINT8 || xInfo->dims[0] != 32 || xInfo->dims[1] != 32 ||
            xInfo->dims[2] != 3 || xInfo->dims[3] > kMaxImages) {
            throw DataError(path + ": variable X must be uint8 of size 32x32x3xN");
        }
        // matio's copy and the decoded pixels are both held at once.
        requireMemoryFor(2 * elementCount(xInfo.get()), path, "variable X");
        const MatVar yInfo = readVariableInfo(file.get(), "y", path);
        if (elementCount(yInfo.get()) != xInfo->dims[3]) {
            throw DataError(path + ": variable y must hold one label per image of X (" +
                            std::to_string(xInfo->dims[3]) + ")");
        }
    }
    const MatVar x = readVariable(file.get(), "X", path);
    const MatVar y = readVariable(file.get(), "y", path);
    if (x->rank != 4 || x->class_type != MAT_C_UINT8 || x->data == nullptr || x->dims[0] != 32 || x->dims[1] != 32 ||
        x->dims[2] != 3) {
        throw DataError(path + ": variable X must be uint8 of size 32x32x3xN");
    }
    const auto n = int64_t(x->dims[3]);
    size_t labelCount = 1;
    for (int d = 0; d < y->rank; ++d) {
        labelCount *= y->dims[d];
    }
    if (y->data == nullptr || int64_t(labelCount) != n) {
        throw DataError(path + ": variable y holds " + std::to_string(labelCount) + " labels for " + std::to_string(n) +
                        " images");
    }
    RawImages images;
    images.count = n;
    images.channels = 3;
    images.height = images.width = 32;
    images.pixels.resize(size_t(n * 3 * 32 * 32));
    const auto* source = static_cast<const uint8_t*>(x->data);
    // Column-major X(row, col, channel, image) to row-major [image][channel][row][col].
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t c = 0; c < 3; ++c) {
            for (int64_t row = 0; row < 32; ++row) {
                for (int64_t col = 0; col < 32; ++col) {
                    images.pixels[size_t(((i * 3 + c) * 32 + row) * 32 + col)] =
                        source[size_t(row + 32 * (col + 32 * (c + 3 * i)))];
                }
            }
        }
    }
    for (size_t i = 0; i < labelCount; ++i) {
        const double label = labelAt(y.get(), i);
        if (!(label >= 1 && label <= 10)) {
            throw DataError(path + ": label " + std::to_string(i) + " is " + std::to_string(label) +
                            ", outside 1..10");
        }
        images.labels.push_back(label == 10 ? 0 : int64_t(label)); // SVHN writes the digit 0 as 10
    }
    return images;
}

} // namespace tau::core
