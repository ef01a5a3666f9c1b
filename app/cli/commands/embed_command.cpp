// tau embed --checkpoint RUN: features h (or loc) of the test images projected to 2-D by PCA and t-SNE.

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "app/cli/evaluation_target_options.h"
#include "core/evaluation/embedding.h"

#include <cstdio>

namespace tau::app::cli {

namespace {

class EmbedCommand : public Command
{
public:
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("embed", "Project a checkpoint's features to 2-D (PCA and t-SNE)");
        // --seed is t-SNE's here: the limited images are the dataset's own seeded choice.
        addEvaluationTarget(*command, m_options, kEveryTargetOption & ~kSeedOption);
        command->add_option("--space", m_options.space, "h (features) or loc (projection)")
            ->check(CLI::IsMember({"h", "loc"}))
            ->capture_default_str();
        command->add_option("--perplexity", m_options.tsne.perplexity, "t-SNE perplexity")->capture_default_str();
        command->add_option("--iterations", m_options.tsne.iterations, "t-SNE iterations")->capture_default_str();
        command->add_option("--seed", m_options.tsne.seed, "t-SNE seed")->capture_default_str();
        command->add_flag("--no-tsne", m_noTsne, "PCA only");
        return command;
    }

    int run() override
    {
        m_options.withTsne = !m_noTsne;
        return runEvaluation([this](auto& observer, auto& cancel) { return core::embedDataset(m_options, observer, cancel); },
                             [](const core::EmbeddingResult& result) {
                                 if (jsonOutput()) {
                                     printJson({{"points", result.points}, {"file", result.file}});
                                 } else {
                                     std::printf("%lld points embedded: %s\n", result.points, result.file.c_str());
                                 }
                             });
    }

private:
    core::EmbeddingOptions m_options;
    bool m_noTsne = false;
};

} // namespace

std::unique_ptr<Command> makeEmbedCommand()
{
    return std::make_unique<EmbedCommand>();
}

} // namespace tau::app::cli
