#include "core/training/run_folder_claim.h"

#include "core/config/config_loader.h"
#include "core/io/durable_file.h"

namespace tau::core {

ClaimedRunFolder claimNewRunFolder(const ExperimentConfig& config, const std::string& program)
{
    for (;;) {
        ClaimedRunFolder claimed;
        claimed.paths = createRunDirectory(config.runsDir, config.expName);
        try {
            claimed.lock = std::make_unique<RunWriterLock>(claimed.paths.root, program);
        } catch (const RunBusyError&) {
            continue; // another writer took this folder after it was chosen
        }
        writeFileAtomically(claimed.paths.config(), toYaml(config));
        return claimed;
    }
}

} // namespace tau::core
