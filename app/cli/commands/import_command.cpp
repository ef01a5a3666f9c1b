// tau import WEIGHTS --config CONFIG: a run directory from a checkpoint of the original repository.

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "core/training/original_import.h"

#include <cstdio>

namespace tau::app::cli {

namespace {

class ImportCommand : public Command
{
public:
    bool buildsModels() const override { return false; }
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("import", "Make a run directory from a checkpoint of the original repository");
        command->add_option("weights", m_options.weights, "the .pt written by packaging/tools/convert_original_checkpoint.py")
            ->required()
            ->check(CLI::ExistingFile);
        command->add_option("--config", m_options.config, "the original run's config.json (or one of ours)")
            ->required()
            ->check(CLI::ExistingFile);
        command->add_option("--dataset", m_options.dataset, "the run's dataset (the original's --dataset)");
        command->add_option("--runs-dir", m_options.runsDir, "where the run directory goes")->capture_default_str();
        command->add_option("--name", m_options.expName, "the run's name (default: the config's exp_name)");
        command->add_option("--set", m_options.overrides, "override a config value")->take_all();
        return command;
    }

    int run() override
    {
        m_options.commandLine = commandLine();
        const core::ImportResult imported = core::importConvertedCheckpoint(m_options);
        if (jsonOutput()) {
            printJson({{"run_directory", imported.runDirectory}, {"tensors", imported.tensors}});
        } else {
            std::printf("imported %zu tensors into %s\n", imported.tensors, imported.runDirectory.c_str());
        }
        return 0;
    }

private:
    core::ImportOptions m_options;
};

} // namespace

std::unique_ptr<Command> makeImportCommand()
{
    return std::make_unique<ImportCommand>();
}

} // namespace tau::app::cli
