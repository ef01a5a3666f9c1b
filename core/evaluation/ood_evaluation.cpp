#include "core/evaluation/ood_evaluation.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/evaluation/loaded_run.h"
#include "core/io/run_directory.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <set>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace {

using Clock = std::chrono::steady_clock;
using ScoreTable = std::map<std::string, std::vector<double>>; // score name -> one value per image

const std::set<std::string> kTemperatureSystems = {"tau_simclr", "tau_mocov2", "posthoc_tau"};

/** A trained model restored from a checkpoint, with the config it was trained with. */
struct LoadedModel
{
    ExperimentConfig config;
    std::unique_ptr<TrainingObjective> objective;
};

LoadedModel loadModel(const std::string& location, const ModelInput& input, const torch::Device& device)
{
    const std::string file = checkpointFileOf(location);
    const fs::path runDirectory = fs::path(file).parent_path().parent_path();
    LoadedModel loaded;
    loaded.config = loadConfigFile((runDirectory / "config.yaml").string());
    ModelInput modelInput = input;
    if (loaded.config.system != "supervised") {
        modelInput.numClasses = 0;
    }
    loaded.objective = makeObjective(loaded.config, modelInput, device);
    loadCheckpoint(file, loaded.objective->model());
    loaded.objective->setTraining(false);
    return loaded;
}


torch::Tensor normalizedRows(const torch::Tensor& x)
{
    return F::normalize(x.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
}

std::vector<double> toDoubles(const torch::Tensor& values)
{
    const torch::Tensor c = values.detach().to(torch::kCPU, torch::kDouble).contiguous().view(-1);
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

/** Scores one set batch by batch; the per-model scores of METHOD.md §6. */
class SetScorer
{
public:
    SetScorer(const OodEvaluationOptions& options, LoadedModel& primary, std::vector<LoadedModel>& ensemble,
              const ViewAugmenter& transform, int64_t channels, const torch::Device& device)
        : m_options(options)
        , m_primary(primary)
        , m_ensemble(ensemble)
        , m_transform(transform)
        , m_channels(channels)
        , m_device(device)
    {
    }

    /** Scores that need only this batch (everything except knn, which needs the reference set). */
    void scoreBatch(const torch::Tensor& images, ScoreTable& table, torch::Tensor* embeddings)
    {
        const torch::Tensor inputs = m_transform.evaluationView(matchChannels(images, m_channels).to(m_device));
        ModelOutput out;
        {
            torch::NoGradGuard noGrad;
            out = m_primary.objective->infer(inputs);
        }
        if (embeddings != nullptr) {
            *embeddings = normalizedRows(out.loc).to(torch::kCPU);
        }
        for (const std::string& score : m_options.scores) {
            if (score == "knn") {
                continue;
            }
            const std::vector<double> values = scoreOf(score, inputs, out);
            std::vector<double>& column = table[score];
            column.insert(column.end(), values.begin(), values.end());
        }
    }

private:
    std::vector<double> scoreOf(const std::string& score, const torch::Tensor& inputs, const ModelOutput& out)
    {
        if (score == "odin") {
            return odin(inputs); // the one score that needs gradients (with respect to the input)
        }
        torch::NoGradGuard noGrad;
        if (score == "tau") {
            return toDoubles(torch::sigmoid(out.rawR.to(torch::kDouble))); // float64: no ties at c near 1
        }
        if (score == "tau_repo") {
            return toDoubles(out.rawR.to(torch::kDouble).pow(2));
        }
        if (score == "hib") {
            return toDoubles(-F::softplus(out.rawR.to(torch::kDouble)).pow(2));
        }
        if (score == "msp") {
            return toDoubles(std::get<0>(torch::softmax(out.loc.to(torch::kDouble), 1).max(1)));
        }
        if (score == "energy") {
            return toDoubles(torch::logsumexp(out.loc.to(torch::kDouble), 1));
        }
        if (score == "mc_dropout") {
            std::vector<torch::Tensor> passes;
            for (int pass = 0; pass < m_options.mcPasses; ++pass) {
                passes.push_back(normalizedRows(m_primary.objective->infer(inputs).loc));
            }
            return toDoubles(-torch::stack(passes).std(0).mean(1));
        }
        if (score == "ensemble") {
            std::vector<torch::Tensor> members = {normalizedRows(out.loc)};
            for (LoadedModel& member : m_ensemble) {
                members.push_back(normalizedRows(member.objective->infer(inputs).loc));
            }
            return toDoubles(-torch::stack(members).std(0).mean(1));
        }
        throw TauError("unknown score '" + score + "'");
    }

    /** ODIN: a small step against the gradient of the temperature-scaled prediction, then its softmax. */
    std::vector<double> odin(const torch::Tensor& inputs)
    {
        torch::Tensor x = inputs.detach().clone().requires_grad_(true);
        const torch::Tensor logits = m_primary.objective->infer(x).loc / m_options.odinTemperature;
        const torch::Tensor predicted = logits.argmax(1).detach();
        F::cross_entropy(logits, predicted).backward();
        // The step is taken in pixel units, so in normalised space it is divided by each channel's std.
        const auto& stds = m_transform.options().std;
        const torch::Tensor std = torch::tensor(stds, torch::kFloat).to(m_device).view({1, -1, 1, 1});
        const torch::Tensor perturbed = (x - m_options.odinEpsilon * x.grad().sign() / std).detach();
        torch::NoGradGuard noGrad;
        const torch::Tensor scaled = m_primary.objective->infer(perturbed).loc / m_options.odinTemperature;
        return toDoubles(std::get<0>(torch::softmax(scaled.to(torch::kDouble), 1).max(1)));
    }

    const OodEvaluationOptions& m_options;
    LoadedModel& m_primary;
    std::vector<LoadedModel>& m_ensemble;
    const ViewAugmenter& m_transform;
    int64_t m_channels;
    torch::Device m_device;
};

/** -mean (or -max) Euclidean distance to the k nearest reference embeddings (all unit vectors). */
std::vector<double> knnScores(const torch::Tensor& queries, const torch::Tensor& reference, int k, bool mean,
                              bool excludeSelf)
{
    std::vector<double> scores;
    const int64_t chunk = 1024;
    for (int64_t start = 0; start < queries.size(0); start += chunk) {
        const torch::Tensor q = queries.slice(0, start, start + chunk);
        torch::Tensor distances = (2.0 - 2.0 * torch::matmul(q, reference.t())).clamp_min(0.0).sqrt();
        if (excludeSelf) {
            // The query is the reference image of the same index: it must not count as its own neighbour.
            const torch::Tensor rows = torch::arange(q.size(0), torch::kLong);
            distances.index_put_({rows, rows + start}, std::numeric_limits<float>::infinity());
        }
        const int64_t neighbours = std::min<int64_t>(k, reference.size(0) - (excludeSelf ? 1 : 0));
        const torch::Tensor nearest = std::get<0>(distances.topk(neighbours, 1, /*largest=*/false));
        const torch::Tensor aggregate = mean ? nearest.mean(1) : std::get<0>(nearest.max(1));
        const std::vector<double> chunkScores = toDoubles(-aggregate);
        scores.insert(scores.end(), chunkScores.begin(), chunkScores.end());
    }
    return scores;
}

void checkScoresFit(const OodEvaluationOptions& options, const ExperimentConfig& config)
{
    for (const std::string& score : options.scores) {
        const auto& known = knownOodScores();
        if (std::find(known.begin(), known.end(), score) == known.end()) {
            std::string list;
            for (const auto& name : known) {
                list += (list.empty() ? "" : ", ") + name;
            }
            throw TauError("--scores: unknown score '" + score + "' (known: " + list + ")");
        }
        const bool temperature = kTemperatureSystems.count(config.system) > 0;
        if ((score == "tau" || score == "tau_repo") && !temperature) {
            throw TauError("score '" + score + "' needs a TaU model (tau_simclr, tau_mocov2 or posthoc_tau); this run is " +
                           config.system);
        }
        if (score == "hib" && config.system != "hib") {
            throw TauError("score 'hib' needs a HIB model; this run is " + config.system);
        }
        if ((score == "msp" || score == "odin" || score == "energy") && config.system != "supervised") {
            throw TauError("score '" + score + "' needs a supervised model (its logits); this run is " + config.system);
        }
        if (score == "mc_dropout" && !config.model.mcDropout) {
            throw TauError("score 'mc_dropout' needs a model trained with model.mc_dropout: true");
        }
        if (score == "ensemble" && options.ensemble.empty()) {
            throw TauError("score 'ensemble' needs the other members' checkpoints (--ensemble A,B,...)");
        }
    }
}

std::string formatNumber(double value)
{
    std::ostringstream stream;
    stream << std::setprecision(17) << value;
    return stream.str();
}

/** Runs one evaluation: load, score, measure, write. */
class OodRun
{
public:
    OodRun(const OodEvaluationOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
        : m_options(options)
        , m_observer(observer)
        , m_cancel(cancel)
        , m_device(resolveDevice(options.device))
    {
    }

    OodEvaluationResult execute()
    {
        configureThreads(m_options.threads);
        const std::string file = checkpointFileOf(m_options.checkpoint);
        if (!fs::exists(file)) {
            throw DataError(file + ": checkpoint not found");
        }
        m_runDirectory = fs::path(file).parent_path().parent_path().string();
        const ExperimentConfig runConfig = loadConfigFile(m_runDirectory + "/config.yaml");
        checkScoresFit(m_options, runConfig);

        DataConfig inConfig = runConfig.dataset;
        inConfig.name = m_options.inDataset.empty() ? runConfig.dataset.name : m_options.inDataset;
        inConfig.trainSubset = 0;
        inConfig.limit = m_options.limit;
        DataSettings settings = runConfig.data;
        for (const auto& [name, root] : m_options.data.roots) {
            settings.roots[name] = root;
        }
        if (inConfig.name != runConfig.dataset.name) {
            inConfig.root.clear();
        }
        const ImageDataset inTest = loadDataset(inConfig, Split::Test, settings);
        const ModelInput input{inTest.channels(), inTest.imageSize(), int64_t(inTest.classNames.size())};

        LoadedModel primary = loadModel(file, input, m_device);
        std::vector<LoadedModel> ensemble;
        for (const std::string& member : m_options.ensemble) {
            ensemble.push_back(loadModel(member, input, m_device));
        }
        AugmentationOptions transformOptions;
        transformOptions.cropSize = inTest.imageSize();
        transformOptions.mean = inTest.mean;
        transformOptions.std = inTest.std;
        const ViewAugmenter transform(transformOptions);
        SetScorer scorer(m_options, primary, ensemble, transform, inTest.channels(), m_device);

        std::vector<std::pair<std::string, ImageDataset>> sets = {{inConfig.name, inTest}};
        for (const std::string& name : m_options.outDatasets) {
            sets.emplace_back(name, loadOodSet(name, inTest, settings, m_options.limit, m_options.seed));
        }
        const bool needsKnn = std::find(m_options.scores.begin(), m_options.scores.end(), "knn") != m_options.scores.end();
        m_totalImages = 0;
        for (const auto& [name, set] : sets) {
            m_totalImages += set.size();
        }
        torch::Tensor reference;
        if (needsKnn && !m_options.knnTestReference) {
            DataConfig trainConfig = inConfig;
            trainConfig.limit = m_options.knnReferenceLimit;
            const ImageDataset train = loadDataset(trainConfig, Split::Train, settings);
            m_totalImages += train.size();
            ScoreTable ignored;
            reference = scoreSet("reference (ID train)", train, scorer, ignored, /*embeddings=*/true);
        }

        OodEvaluationResult result;
        std::vector<ScoreTable> tables;
        for (auto& [name, set] : sets) {
            ScoreTable table;
            const torch::Tensor embeddings = scoreSet(name, set, scorer, table, needsKnn);
            if (m_cancel.stopRequested()) {
                result.cancelled = true;
                return result;
            }
            if (needsKnn) {
                const bool selfExcluded = m_options.knnTestReference && &set == &sets.front().second;
                if (m_options.knnTestReference && reference.numel() == 0) {
                    reference = embeddings; // the ID test set, as the original
                }
                table["knn"] = knnScores(embeddings, reference, m_options.knnK, m_options.knnAggregate != "max",
                                         selfExcluded);
            }
            tables.push_back(std::move(table));
        }
        measure(sets, tables, result);
        write(sets, tables, result, inConfig.name);
        return result;
    }

private:
    /** Scores @p set batch by batch; returns its normalised embeddings when asked. */
    torch::Tensor scoreSet(const std::string& name, const ImageDataset& set, SetScorer& scorer, ScoreTable& table,
                           bool embeddings)
    {
        std::vector<torch::Tensor> collected;
        const auto start = Clock::now();
        for (int64_t begin = 0; begin < set.size() && !m_cancel.stopRequested(); begin += m_options.batchSize) {
            const int64_t end = std::min(set.size(), begin + m_options.batchSize);
            torch::Tensor batchEmbeddings;
            scorer.scoreBatch(set.gather(torch::arange(begin, end, torch::kLong)), table,
                              embeddings ? &batchEmbeddings : nullptr);
            if (embeddings) {
                collected.push_back(batchEmbeddings);
            }
            m_doneImages += end - begin;
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            const double rate = double(end) / std::max(1e-9, elapsed);
            m_observer.onProgress(name, m_doneImages, m_totalImages, double(m_totalImages - m_doneImages) / rate);
        }
        return collected.empty() ? torch::Tensor() : torch::cat(collected);
    }

    void measure(const std::vector<std::pair<std::string, ImageDataset>>& sets, const std::vector<ScoreTable>& tables,
                 OodEvaluationResult& result)
    {
        for (size_t s = 1; s < sets.size(); ++s) {
            for (const std::string& score : m_options.scores) {
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
               OodEvaluationResult& result, const std::string& inName)
    {
        result.directory = m_runDirectory + "/eval/" + m_options.name;
        fs::create_directories(result.directory);

        nlohmann::json metrics = {{"in_dataset", inName}, {"checkpoint", checkpointFileOf(m_options.checkpoint)},
                                  {"scores", m_options.scores}, {"results", nlohmann::json::object()},
                                  {"warnings", result.warnings}};
        for (const auto& [ood, byScore] : result.results) {
            for (const auto& [score, entry] : byScore) {
                const OodMetrics& m = entry.metrics;
                nlohmann::json values = {{"auroc", m.auroc}, {"fpr95", m.fpr95}, {"fpr95_ood_positive", m.fpr95OodPositive},
                                         {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
                if (m_options.bootstrap > 0) {
                    const auto interval = [](const Interval& i) { return nlohmann::json::array({i.low, i.high}); };
                    values["ci95"] = {{"auroc", interval(entry.intervals.auroc)}, {"fpr95", interval(entry.intervals.fpr95)},
                                      {"fpr95_ood_positive", interval(entry.intervals.fpr95OodPositive)},
                                      {"aupr_in", interval(entry.intervals.auprIn)},
                                      {"aupr_out", interval(entry.intervals.auprOut)},
                                      {"resamples", m_options.bootstrap}};
                }
                metrics["results"][ood][score] = values;
            }
        }
        writeFileAtomically(result.directory + "/metrics.json", metrics.dump(2) + "\n");

        std::ostringstream csv;
        csv << "dataset,index,label";
        for (const std::string& score : m_options.scores) {
            csv << ',' << score;
        }
        csv << '\n';
        for (size_t s = 0; s < sets.size(); ++s) {
            const torch::Tensor labels = sets[s].second.labels.contiguous();
            for (int64_t i = 0; i < sets[s].second.size(); ++i) {
                csv << sets[s].first << ',' << i << ',' << labels[i].item<int64_t>();
                for (const std::string& score : m_options.scores) {
                    csv << ',' << formatNumber(tables[s].at(score)[size_t(i)]);
                }
                csv << '\n';
            }
        }
        writeFileAtomically(result.directory + "/scores.csv", csv.str());

        for (size_t s = 1; s < sets.size(); ++s) {
            for (const std::string& score : m_options.scores) {
                const RocCurve curve = rocCurve(tables[0].at(score), tables[s].at(score));
                std::ostringstream roc;
                roc << "fpr,tpr,threshold\n";
                for (size_t i = 0; i < curve.fpr.size(); ++i) {
                    roc << formatNumber(curve.fpr[i]) << ',' << formatNumber(curve.tpr[i]) << ','
                        << (std::isinf(curve.thresholds[i]) ? std::string("inf") : formatNumber(curve.thresholds[i])) << '\n';
                }
                writeFileAtomically(result.directory + "/roc_" + sets[s].first + "_" + score + ".csv", roc.str());
            }
        }
    }

    const OodEvaluationOptions& m_options;
    EvaluationObserver& m_observer;
    const CancellationToken& m_cancel;
    torch::Device m_device;
    std::string m_runDirectory;
    long long m_totalImages = 0;
    long long m_doneImages = 0;
};

} // namespace

const std::vector<std::string>& knownOodScores()
{
    static const std::vector<std::string> scores = {"tau", "tau_repo", "mc_dropout", "ensemble", "knn",
                                                    "hib", "msp",      "odin",       "energy"};
    return scores;
}

OodEvaluationResult evaluateOod(const OodEvaluationOptions& options, EvaluationObserver& observer,
                                const CancellationToken& cancel)
{
    try {
        return OodRun(options, observer, cancel).execute();
    } catch (const TauError&) {
        throw;
    } catch (const c10::Error& error) {
        const std::string message = error.what_without_backtrace();
        throw TauError("evaluation failed inside LibTorch: " + message.substr(0, message.find('\n')));
    }
}

} // namespace tau::core
