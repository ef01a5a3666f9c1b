#pragma once

#include <torch/types.h>

#include <vector>

namespace tau::core {

/** The values of @p tensor, flattened, as a std::vector of T (converted on the CPU). */
template <typename T>
std::vector<T> toVector(const torch::Tensor& tensor)
{
    const torch::Tensor values =
        tensor.detach().to(torch::kCPU, c10::CppTypeToScalarType<T>::value).contiguous().view(-1);
    return std::vector<T>(values.data_ptr<T>(), values.data_ptr<T>() + values.numel());
}

} // namespace tau::core
