// readSvhnMat in a build without matio (TAU_WITH_MATIO=OFF, as the GPU check builds): SVHN's .mat files are refused
// with the reason, and every other dataset works as in the full build.
#include "core/data/svhn_mat_reader.h"

#include "core/common/error.h"

namespace tau::core {

RawImages readSvhnMat(const std::string& path)
{
    throw DataError(path + ": this build reads no .mat files (it was configured with TAU_WITH_MATIO=OFF, without "
                           "matio); build with matio (libmatio-dev) to read SVHN");
}

} // namespace tau::core
