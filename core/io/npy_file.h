#pragma once

// NumPy's .npy format (version 1.0): a magic string, a little header that is a Python dict literal (dtype, order,
// shape), then the raw little-endian data in C order. What `np.load` reads; Torch-free.

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/** An array to write: its NumPy dtype ("<f4", "<f8", "<i8"), its shape and its raw bytes in C order. */
struct NpyArray
{
    std::string dtype;
    std::vector<int64_t> shape;
    std::vector<char> bytes;
};

NpyArray npyArray(const std::vector<float>& values, std::vector<int64_t> shape);
NpyArray npyArray(const std::vector<double>& values, std::vector<int64_t> shape);
NpyArray npyArray(const std::vector<int64_t>& values, std::vector<int64_t> shape);

/** The whole .npy file for @p array. */
std::string npyBytes(const NpyArray& array);

/** Writes @p array to @p path atomically. @throws TauError naming the file and the cause. */
void writeNpy(const std::string& path, const NpyArray& array);

/** Reads a .npy file of one of the three dtypes back. @throws TauError naming the file and what is wrong. */
NpyArray readNpy(const std::string& path);

} // namespace tau::core
