#include "core/data/outlier_families.h"

namespace tau::core {

const std::vector<std::string>& outlierFamilyNames()
{
    static const std::vector<std::string> names = {"jigsaw", "smooth_field"};
    return names;
}

} // namespace tau::core
