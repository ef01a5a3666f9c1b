#include "core/evaluation/ood_evaluation.h"

#include "core/distributed/communicator.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/tensor_vector.h"
#include "core/common/torch_errors.h"
#include "core/evaluation/loaded_run.h"
#include "core/evaluation/scores/score_context.h"
#include "core/evaluation/scores/score_functions.h"
#include "core/io/evaluation_files.h"
#include "core/methods/score_catalog.h"

#include <torch/torch.h>

#include <algorithm>

#include <filesystem>
#include <iomanip>
#include <sstream>

namespace tau::core {

namespace {

using ScoreTable = std::map<std::string, std::vector<double>>; // score name -> one value per image

/**
 * The scores of @p options, checked against the catalogue and the run before anything is computed. Unfit ones
 * are an error, or with skipUnfitScores left out and named in @p skipped.
 */
std::vector<const ScoreInfo*> checkedScores(const OodEvaluationOptions& options, const ExperimentConfig& config,
                                            const std::string& run, std::vector<std::string>& skipped)
{
    std::vector<const ScoreInfo*> scores;
    std::vector<std::string> reasons;
    for (const std::string& name : options.scores) {
        const ScoreInfo* score = nullptr;
        try {
            score = &scoreInfo(name);
        } catch (const TauError& error) {
            throw TauError(std::string("--scores: ") + error.what());
        }
        const std::string reason = whyScoreDoesNotFit(name, config, options.ensemble.size());
        if (reason.empty()) {
            scores.push_back(score);
        } else if (options.skipUnfitScores) {
            reasons.push_back(reason);
        } else {
            throw TauError(reason);
        }
    }
    for (const std::string& reason : reasons) {
        skipped.push_back(run + ": " + reason + "; left out");
    }
    if (scores.empty()) {
        std::string all;
        for (const std::string& reason : reasons) {
            all += (all.empty() ? "" : "; ") + reason;
        }
        throw TauError(run + ": none of the asked scores applies to it (" + all + ")");
    }
    return scores;
}

/** Runs one evaluation: load, score every set, measure, write. */
class OodRun
{
public:
    OodRun(const OodEvaluationOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
        : m_options(options)
        , m_cancel(cancel)
        , m_observer(observer)
        , m_progress(observer)
        , m_device(resolveDevice(options.device))
    {
    }

    OodEvaluationResult execute()
    {
        configureThreads(m_options.threads);
        RunLoadOptions load;
        load.checkpoint = m_options.checkpoint;
        load.datasetOverride = m_options.dataset;
        load.limit = m_options.limit;
        load.dataRoots = m_options.data.roots;
        load.beforeData = [this](const ExperimentConfig& config) {
            const std::string run = std::filesystem::path(locateRun(m_options.checkpoint).paths.root).filename().string();
            m_scores = checkedScores(m_options, config, run, m_skipped);
        };
        LoadedRun run = loadRun(load, m_device);
        for (const std::string& member : m_options.ensemble) {
            RunLoadOptions memberLoad = load;
            memberLoad.checkpoint = member;
            memberLoad.beforeData = nullptr;
            m_members.push_back(loadModelOf(memberLoad, run, m_device));
            m_ensemble.push_back(m_members.back().get());
        }
        m_model = run.model();
        if (m_options.communicator != nullptr && m_options.communicator->worldSize() > 1 &&
            std::find(m_options.scores.begin(), m_options.scores.end(), "mc_dropout") != m_options.scores.end()) {
            m_observer.onMessage("warning: mc_dropout draws its dropout masks in each process: split over " +
                                 std::to_string(m_options.communicator->worldSize()) +
                                 " processes its values follow the same distribution, not the same digits");
        }

        std::vector<std::pair<std::string, ImageDataset>> sets = {{run.data.name, run.images}};
        for (const std::string& name : m_options.outDatasets) {
            sets.emplace_back(name, loadOodSet(name, run.images, run.config.data, m_options.limit, m_options.seed));
        }
        for (const auto& [name, set] : sets) {
            m_progress.addToTotal(set.size());
        }
        m_needsFeatures = false;
        bool needsTrain = false;
        for (const ScoreInfo* score : m_scores) {
            const ScoreFunctions& functions = scoreFunctionsOf(score->name);
            m_needsFeatures = m_needsFeatures || functions.againstReference != nullptr;
            needsTrain = needsTrain || (functions.needsTrainFeatures != nullptr && functions.needsTrainFeatures(m_options));
        }
        OodEvaluationResult result;
        result.warnings = m_skipped;
        for (const std::string& skipped : m_skipped) {
            m_observer.onMessage("warning: " + skipped);
        }
        SetFeatures trainReference;
        if (needsTrain) {
            DataConfig trainConfig = run.data;
            trainConfig.limit = m_options.knnReferenceLimit;
            const ImageDataset train = loadDataset(trainConfig, Split::Train, run.config.data);
            m_progress.addToTotal(train.size());
            m_referenceImages = train.size();
            ScoreTable ignored;
            if (!scoreSet("reference (ID train)", train, ignored, &trainReference, /*batchScores=*/false)) {
                result.cancelled = true;
                return result;
            }
        }
        std::vector<ScoreTable> tables(sets.size());
        std::vector<SetFeatures> features(sets.size());
        for (size_t s = 0; s < sets.size(); ++s) {
            if (!scoreSet(sets[s].first, sets[s].second, tables[s], &features[s], /*batchScores=*/true)) {
                result.cancelled = true;
                return result;
            }
        }
        for (size_t s = 0; s < sets.size(); ++s) {
            for (const ScoreInfo* score : m_scores) {
                const ScoreFunctions& functions = scoreFunctionsOf(score->name);
                if (functions.againstReference != nullptr) {
                    const ReferenceQuery query{features[s], trainReference, features[0], s == 0, m_options};
                    tables[s][score->name] = functions.againstReference(query);
                }
            }
        }
        measure(sets, tables, result);
        if (m_options.communicator == nullptr || m_options.communicator->isLeader()) {
            write(sets, tables, run, result); // rank 0 writes what every rank computed alike
        } else {
            result.directory = run.paths.evaluation(m_options.name);
        }
        return result;
    }

private:
    std::vector<std::string> keptScores() const
    {
        std::vector<std::string> names;
        for (const ScoreInfo* score : m_scores) {
            names.push_back(score->name);
        }
        return names;
    }

    /** Scores @p set batch by batch (when @p batchScores) and keeps its features when reference scores need them. */
    bool scoreSet(const std::string& name, const ImageDataset& set, ScoreTable& table, SetFeatures* features,
                  bool batchScores)
    {
        std::vector<torch::Tensor> embeddings, hs, certainties;
        PassOptions pass;
        pass.batchSize = m_options.batchSize;
        pass.stage = name;
        pass.shards = m_options.communicator.get();
        const bool finished = forEachBatch(m_model, set, pass, m_progress, m_cancel, [&](const PassBatch& batch) {
            if (m_needsFeatures) {
                namespace F = torch::nn::functional;
                embeddings.push_back(F::normalize(batch.output.loc.to(torch::kFloat), F::NormalizeFuncOptions().dim(1)).to(torch::kCPU));
                hs.push_back(batch.output.features.to(torch::kCPU, torch::kFloat).flatten(1));
                if (batch.output.rawR.defined()) {
                    certainties.push_back(torch::sigmoid(batch.output.rawR.to(torch::kCPU, torch::kDouble).reshape(-1)));
                }
            }
            if (!batchScores) {
                return;
            }
            const ScoreBatch context{batch, m_model, m_ensemble, m_options};
            for (const ScoreInfo* score : m_scores) {
                const ScoreFunctions& functions = scoreFunctionsOf(score->name);
                if (functions.perBatch != nullptr) {
                    const std::vector<double> values = functions.perBatch(context);
                    std::vector<double>& column = table[score->name];
                    column.insert(column.end(), values.begin(), values.end());
                }
            }
        });
        if (m_needsFeatures && !embeddings.empty()) {
            features->embeddings = gatherRows(pass, set.size(), torch::cat(embeddings));
            features->features = gatherRows(pass, set.size(), torch::cat(hs));
            features->labels = set.labels.to(torch::kLong);
            if (certainties.size() == embeddings.size()) {
                features->certainty = gatherRows(pass, set.size(), torch::cat(certainties));
            }
        }
        for (auto& [score, column] : table) { // the same names, in the same order, on every rank
            column = gatherRows(pass, set.size(), column);
        }
        return finished;
    }

    void measure(const std::vector<std::pair<std::string, ImageDataset>>& sets, const std::vector<ScoreTable>& tables,
                 OodEvaluationResult& result)
    {
        for (size_t s = 1; s < sets.size(); ++s) {
            for (const std::string& score : keptScores()) {
                OodScoreResult entry;
                entry.metrics = computeOodMetrics(tables[0].at(score), tables[s].at(score));
                if (m_options.bootstrap > 0) {
                    entry.intervals =
                        bootstrapIntervals(tables[0].at(score), tables[s].at(score), m_options.bootstrap, m_options.seed);
                }
                if (entry.metrics.auroc < 0.5) {
                    std::ostringstream auroc;
                    auroc << std::setprecision(4) << entry.metrics.auroc; // a message: four digits say enough
                    result.warnings.push_back("score '" + score + "' ranks " + sets[s].first +
                                              " as more in-distribution than the ID set (AUROC " + auroc.str() +
                                              " < 0.5); reported as is, not flipped");
                    m_observer.onMessage("warning: " + result.warnings.back());
                }
                result.results[sets[s].first][score] = entry;
            }
        }
    }

    void write(const std::vector<std::pair<std::string, ImageDataset>>& sets, const std::vector<ScoreTable>& tables,
               const LoadedRun& run, OodEvaluationResult& result)
    {
        result.directory = run.paths.evaluation(m_options.name);
        EvaluationFolderData data;
        data.folder = result.directory;
        data.inDataset = run.data.name;
        data.checkpoint = run.checkpointFile;
        data.scores = keptScores();
        data.warnings = result.warnings;
        for (const auto& [ood, byScore] : result.results) {
            for (const auto& [score, entry] : byScore) {
                ScoreMetricsRecord& record = data.results[ood][score];
                record.metrics = entry.metrics;
                if (m_options.bootstrap > 0) {
                    record.intervals = entry.intervals;
                    record.resamples = m_options.bootstrap;
                }
            }
        }
        for (size_t s = 0; s < sets.size(); ++s) {
            data.sets.push_back(SetScores{sets[s].first, toVector<int64_t>(sets[s].second.labels), tables[s]});
            for (const std::string& score : s == 0 ? std::vector<std::string>() : keptScores()) {
                data.roc[sets[s].first][score] = rocCurve(tables[0].at(score), tables[s].at(score));
            }
        }
        data.protocol = protocolOf(sets);
        writeEvaluationFolder(data);
    }

    /** What this evaluation did, as metrics.json records it beside the numbers. */
    EvaluationProtocol protocolOf(const std::vector<std::pair<std::string, ImageDataset>>& sets) const
    {
        EvaluationProtocol protocol;
        protocol.recorded = true;
        for (const auto& [name, set] : sets) {
            protocol.images[name] = set.size();
        }
        protocol.limit = m_options.limit;
        protocol.seed = m_options.seed;
        protocol.bootstrap = m_options.bootstrap;
        protocol.hasReference = m_needsFeatures;
        if (m_needsFeatures) {
            // kNN's neighbours: the ID training set, or (the original's choice) the ID test set less each query.
            const bool onTest = m_options.knnTestReference;
            protocol.reference = onTest ? "test" : "train";
            protocol.referenceImages = onTest ? int64_t(sets.front().second.size()) : m_referenceImages;
            protocol.knnK = m_options.knnK;
            protocol.knnAggregate = m_options.knnAggregate;
        }
        return protocol;
    }

    const OodEvaluationOptions& m_options;
    const CancellationToken& m_cancel;
    EvaluationObserver& m_observer;
    PassProgress m_progress;
    torch::Device m_device;
    std::vector<const ScoreInfo*> m_scores;
    std::vector<std::string> m_skipped;
    int64_t m_referenceImages = 0; ///< the ID training images embedded as the reference; 0: none
    std::vector<std::unique_ptr<TrainingObjective>> m_members;
    std::vector<TrainingObjective*> m_ensemble;
    EvaluatedModel m_model;
    bool m_needsFeatures = false;
};

} // namespace

OodEvaluationResult evaluateOod(const OodEvaluationOptions& options, EvaluationObserver& observer,
                                const CancellationToken& cancel)
{
    return translateTorchErrors("evaluation", [&] { return OodRun(options, observer, cancel).execute(); });
}

} // namespace tau::core
