// libFuzzer target: the config loader. Any text either loads or fails with a ConfigError (a message naming the key
// or line); nothing else may escape. A config that loads is written out with toYaml, and that text must load again
// to the same config (the run directory's config.yaml is what a resume reads).
#include "core/common/error.h"
#include "core/config/config_loader.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    tau::core::ExperimentConfig config;
    try {
        config = tau::core::loadConfigText(text, "fuzz.yaml");
    } catch (const tau::core::TauError&) {
        return 0; // refused with a message: what bad input must get
    }
    const std::string written = tau::core::toYaml(config);
    try {
        if (tau::core::toYaml(tau::core::loadConfigText(written, "written.yaml")) != written) {
            std::abort(); // the written config does not read back as itself
        }
    } catch (const tau::core::TauError&) {
        std::abort(); // the loader refuses what the tool itself wrote
    }
    return 0;
}
