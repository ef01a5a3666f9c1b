// tau knn and tau linear-eval: weighted kNN and linear evaluation of a checkpoint's features h (the README's "Representations, embeddings and rankings").

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "app/cli/evaluation_target_options.h"
#include "core/evaluation/representation_evaluation.h"

#include <cstdio>

namespace tau::app::cli {

namespace {

class RepresentationCommand : public Command
{
public:
    explicit RepresentationCommand(bool linear) : m_linear(linear) {}

    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command =
            m_linear ? app.add_subcommand("linear-eval", "Linear evaluation top-1 on a checkpoint's frozen features h")
                     : app.add_subcommand("knn", "Weighted kNN top-1 accuracy of a checkpoint's features h");
        m_options.name = m_linear ? core::kLinearEvaluationName : core::kKnnEvaluationName;
        TargetWording wording;
        wording.datasetHelp = "default: the run's training set (its train split is the reference, its test split scored)";
        wording.limitNames = "--limit-test,--limit";
        wording.limitHelp = "at most N test images, a seeded choice (0: all)";
        wording.seedHelp = "seeds the linear classifier's weights, batches and views";
        // The batch is the linear protocol's (the original's: 256) as well as the passes': not an option here.
        const unsigned notHere = kBatchSizeOption | (m_linear ? 0u : unsigned(kSeedOption)); // kNN draws nothing
        addEvaluationTarget(*command, m_options, kEveryTargetOption & ~notHere, wording);
        command->add_option("--limit-train", m_options.limitTrain, "at most N training images (0: all)")->capture_default_str();
        addProcessesOption(*command, m_processes, "split the feature passes");
        if (m_linear) {
            command->add_option("--protocol", m_protocol,
                                "ours: frozen h of un-augmented images (lr 0.1, no weight decay); original: h of a "
                                "fresh augmented view every epoch, the original's lr 1e-4, weight decay 1e-6")
                ->check(CLI::IsMember({"ours", "original"}))
                ->capture_default_str();
            m_epochs = command->add_option("--epochs", m_options.epochs, "epochs")->capture_default_str();
            m_learningRate =
                command->add_option("--lr", m_options.learningRate, "SGD learning rate, cosine to 0")->capture_default_str();
        } else {
            command->add_option("--k", m_options.knnK, "neighbours")->capture_default_str();
            command->add_option("--temperature", m_options.knnTemperature, "vote weight exp(similarity / T)")
                ->capture_default_str();
        }
        return command;
    }

    int run() override
    {
        JobRole role;
        if (const std::optional<int> launched = launchOrJoin(m_processes, m_options.device, role)) {
            return *launched;
        }
        m_options.communicator = role.communicator;
        if (m_linear && m_protocol == "original") {
            // The original's values, except where --epochs or --lr says otherwise.
            const core::RepresentationOptions given = m_options;
            core::useOriginalLinearProtocol(m_options);
            if (m_epochs->count() > 0) {
                m_options.epochs = given.epochs;
            }
            if (m_learningRate->count() > 0) {
                m_options.learningRate = given.learningRate;
            }
        }
        const auto evaluate = [this](auto& observer, auto& cancel) {
            return m_linear ? core::evaluateLinear(m_options, observer, cancel)
                            : core::evaluateKnnAccuracy(m_options, observer, cancel);
        };
        return runEvaluation(evaluate, [this](const core::RepresentationResult& result) {
            if (jsonOutput()) {
                printJson({{m_linear ? "linear_top1" : "knn_top1", result.top1}, {"directory", result.directory}});
            } else {
                std::printf("%s top-1: %.4f\nresults in %s\n", m_linear ? "linear evaluation" : "weighted kNN",
                            result.top1, result.directory.c_str());
            }
        }, role.leader);
    }

private:
    int m_processes = 1;
    bool m_linear;
    std::string m_protocol = "ours";
    CLI::Option* m_epochs = nullptr;
    CLI::Option* m_learningRate = nullptr;
    core::RepresentationOptions m_options;
};

} // namespace

std::unique_ptr<Command> makeKnnCommand()
{
    return std::make_unique<RepresentationCommand>(false);
}

std::unique_ptr<Command> makeLinearEvalCommand()
{
    return std::make_unique<RepresentationCommand>(true);
}

} // namespace tau::app::cli
