#include "core/data/svhn_mat_reader.h"

#include "core/common/error.h"

#include <matio.h>

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

} // namespace

RawImages readSvhnMat(const std::string& path)
{
    MatFile file(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
    if (!file) {
        throw DataError(path + ": not found, or not a MATLAB .mat file");
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
