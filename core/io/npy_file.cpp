#include "core/io/npy_file.h"

#include "core/common/error.h"
#include "core/io/durable_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

namespace tau::core {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLength = 6;
constexpr size_t kAlignment = 64; // NumPy pads the header so the data starts on a multiple of 64 bytes

template <typename T>
NpyArray arrayOf(const std::vector<T>& values, std::vector<int64_t> shape, const char* dtype)
{
    int64_t count = 1;
    for (const int64_t side : shape) {
        count *= side;
    }
    if (count != int64_t(values.size())) {
        throw TauError("npy: " + std::to_string(values.size()) + " values do not fill the shape given");
    }
    NpyArray array{dtype, std::move(shape), std::vector<char>(values.size() * sizeof(T))};
    std::memcpy(array.bytes.data(), values.data(), array.bytes.size()); // x86-64 and ARM64 are little-endian
    return array;
}

std::string shapeLiteral(const std::vector<int64_t>& shape)
{
    std::string text = "(";
    for (const int64_t side : shape) {
        text += std::to_string(side) + ", ";
    }
    if (shape.size() > 1) {
        text.erase(text.size() - 1); // (3, 4) but (3,)
    }
    return text + ")";
}

size_t itemSize(const std::string& dtype)
{
    if (dtype == "<f4") {
        return 4;
    }
    if (dtype == "<f8" || dtype == "<i8") {
        return 8;
    }
    return 0;
}

} // namespace

NpyArray npyArray(const std::vector<float>& values, std::vector<int64_t> shape)
{
    return arrayOf(values, std::move(shape), "<f4");
}

NpyArray npyArray(const std::vector<double>& values, std::vector<int64_t> shape)
{
    return arrayOf(values, std::move(shape), "<f8");
}

NpyArray npyArray(const std::vector<int64_t>& values, std::vector<int64_t> shape)
{
    return arrayOf(values, std::move(shape), "<i8");
}

std::string npyBytes(const NpyArray& array)
{
    std::string header = "{'descr': '" + array.dtype + "', 'fortran_order': False, 'shape': " + shapeLiteral(array.shape) + ", }";
    const size_t unpadded = kMagicLength + 4 + header.size() + 1; // magic, version, length, header, newline
    header.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
    header += '\n';
    std::string file(kMagic, kMagicLength);
    file += '\x01';
    file += '\x00';
    file += char(header.size() & 0xff);
    file += char((header.size() >> 8) & 0xff);
    file += header;
    file.append(array.bytes.begin(), array.bytes.end());
    return file;
}

void writeNpy(const std::string& path, const NpyArray& array)
{
    writeFileAtomically(path, npyBytes(array));
}

NpyArray readNpy(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw TauError(path + ": cannot open it");
    }
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (file.size() < kMagicLength + 4 || file.compare(0, kMagicLength, kMagic, kMagicLength) != 0 || file[6] != '\x01') {
        throw TauError(path + ": not a version 1.0 .npy file");
    }
    const size_t headerLength = size_t(uint8_t(file[8])) | (size_t(uint8_t(file[9])) << 8);
    if (file.size() < 10 + headerLength) {
        throw TauError(path + ": the header runs past the end of the file");
    }
    const std::string header = file.substr(10, headerLength);
    std::smatch match;
    static const std::regex pattern(R"(\{'descr': '([<>|]?[a-z][0-9]+)', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \})");
    if (!std::regex_search(header, match, pattern) || itemSize(match[1]) == 0) {
        throw TauError(path + ": expected a C-order array of <f4, <f8 or <i8, got the header " + header);
    }
    NpyArray array;
    array.dtype = match[1];
    unsigned __int128 count = 1; // two sides of 2^32 would wrap 64 bits to a count of 0
    const std::string sides = match[2];
    for (size_t at = 0; at < sides.size();) {
        const size_t end = sides.find(',', at);
        const std::string side = sides.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (side.find_first_not_of(' ') != std::string::npos) {
            array.shape.push_back(std::stoll(side));
            count = std::min<unsigned __int128>(count * uint64_t(array.shape.back()), uint64_t(1) << 62);
        }
        at = end == std::string::npos ? sides.size() : end + 1;
    }
    const unsigned __int128 expected = count * itemSize(array.dtype);
    if (file.size() - 10 - headerLength != expected) {
        throw TauError(path + ": the header declares " + std::to_string(uint64_t(expected)) + " bytes of data, the file holds " +
                       std::to_string(file.size() - 10 - headerLength));
    }
    array.bytes.assign(file.begin() + long(10 + headerLength), file.end());
    return array;
}

} // namespace tau::core
