#pragma once

#include <torch/torch.h>

#include <string>

namespace tau::core {

/**
 * float64 training: tensors created without a type (weights, MoCo's queue, HIB's scalars) are double while the
 * run is built and trained. The default type is process-wide, so it is put back when the run ends.
 */
class PrecisionScope
{
public:
    explicit PrecisionScope(const std::string& precision)
        : m_previous(torch::get_default_dtype())
    {
        if (precision == "float64") {
            torch::set_default_dtype(caffe2::TypeMeta::Make<double>());
        }
    }
    ~PrecisionScope() { torch::set_default_dtype(m_previous); }
    PrecisionScope(const PrecisionScope&) = delete;
    PrecisionScope& operator=(const PrecisionScope&) = delete;

private:
    caffe2::TypeMeta m_previous;
};

} // namespace tau::core
