// tau datasets [CONFIG]: every dataset name, its size, whether its files are here, and where they are looked for.

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "core/config/config_loader.h"
#include "core/data/dataset_registry.h"

#include <cstdio>

namespace tau::app::cli {

namespace {

class DatasetsCommand : public Command
{
public:
    bool buildsModels() const override { return false; }
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("datasets", "List the datasets, whether they are available, and where");
        command->add_option("config", m_config, "a config whose data.roots to use");
        return command;
    }

    int run() override
    {
        core::DataSettings settings;
        if (!m_config.empty()) {
            core::ConfigLoadOptions options;
            options.warn = printWarning;
            settings = core::loadConfigFile(m_config, options).data;
        }
        if (jsonOutput()) {
            nlohmann::json list = nlohmann::json::array();
            for (const core::DatasetInfo& info : core::datasetRegistry()) {
                const std::string root = info.synthetic ? std::string() : core::resolveDatasetRoot(info.name, "", settings);
                list.push_back({{"name", info.name}, {"synthetic", info.synthetic}, {"images", info.images},
                                {"available", info.synthetic || core::datasetAvailable(info.name, root)},
                                {"root", root}, {"expected", info.expected}});
            }
            printJson(list);
            return 0;
        }
        std::printf("%-15s %-10s %-44s %s\n", "name", "available", "images", "where (or what it is made from)");
        for (const core::DatasetInfo& info : core::datasetRegistry()) {
            if (info.synthetic) {
                std::printf("%-15s %-10s %-44s %s\n", info.name.c_str(), "yes", info.images.c_str(), info.description.c_str());
                continue;
            }
            const std::string root = core::resolveDatasetRoot(info.name, "", settings);
            const bool available = core::datasetAvailable(info.name, root);
            std::printf("%-15s %-10s %-44s %s\n", info.name.c_str(), available ? "yes" : "no", info.images.c_str(),
                        root.empty() ? "(set data.roots.folder)" : root.c_str());
            if (!available) {
                std::printf("%-15s %-10s %-44s   expects %s\n", "", "", "", info.expected.c_str());
            }
        }
        std::printf("\nRoots come from dataset.root, data.roots.<name>, $TAU_DATA_ROOT/<folder>, then the defaults above.\n");
        return 0;
    }

private:
    std::string m_config;
};

} // namespace

std::unique_ptr<Command> makeDatasetsCommand()
{
    return std::make_unique<DatasetsCommand>();
}

} // namespace tau::app::cli
