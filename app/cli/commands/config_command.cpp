// tau config validate|show CONFIG: "valid", or the first problem; or the resolved config with every default.
// tau config presets: the shipped configs, by the names tau train takes.

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "core/config/config_loader.h"
#include "core/config/presets.h"

#include <cstdio>

namespace tau::app::cli {

namespace {

class ConfigCommand : public Command
{
public:
    bool buildsModels() const override { return false; }
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("config", "Check configs (ours, or the original repository's JSON)");
        command->require_subcommand(1);
        CLI::App* validate = command->add_subcommand("validate", "Check a config; print the first problem");
        m_show = command->add_subcommand("show", "Print the resolved config with every default");
        m_presets = command->add_subcommand("presets", "List the shipped configs: the names tau train takes, and files");
        for (CLI::App* sub : {validate, m_show}) {
            sub->add_option("config", m_path, "experiment config (YAML or JSON), or a preset's name")->required();
            sub->add_option("--set", m_overrides, "override a config value")->take_all();
            sub->add_option("--dataset", m_dataset, "set dataset.name");
        }
        return command;
    }

    bool reportsNumbers() const override { return false; }

    int run() override
    {
        if (m_presets->parsed()) {
            return listPresets();
        }
        m_path = configFileOrPreset(m_path);
        core::ConfigLoadOptions options;
        options.overrides = withDataset(m_overrides, m_dataset);
        options.warn = printWarning;
        const core::ExperimentConfig config = core::loadConfigFile(m_path, options);
        if (m_show->parsed()) {
            std::fputs(core::toYaml(config).c_str(), stdout);
        } else {
            std::printf("%s: valid (%s on %s)\n", m_path.c_str(), config.system.c_str(), config.dataset.name.c_str());
        }
        return 0;
    }

private:
    static int listPresets()
    {
        const std::vector<std::string> directories = core::presetDirectories();
        if (directories.empty()) {
            std::fprintf(stderr, "tau: no presets found (set TAU_CONFIGS_DIR to a folder of configs)\n");
            return 1;
        }
        for (const core::Preset& preset : core::listPresets(directories)) {
            std::printf("%-32s %s\n", preset.name.c_str(), preset.path.c_str());
        }
        return 0;
    }

    std::string m_path;
    std::vector<std::string> m_overrides;
    std::string m_dataset;
    CLI::App* m_show = nullptr;
    CLI::App* m_presets = nullptr;
};

} // namespace

std::unique_ptr<Command> makeConfigCommand()
{
    return std::make_unique<ConfigCommand>();
}

} // namespace tau::app::cli
