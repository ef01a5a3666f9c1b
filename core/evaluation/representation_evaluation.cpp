#include "core/evaluation/representation_evaluation.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/evaluation/loaded_run.h"
#include "core/evaluation/model_pass.h"
#include "core/evaluation/neighbours.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/io/evaluation_files.h"
#include "core/distributed/communicator.h"
#include "core/io/run_directory.h"
#include "core/training/checkpoint.h"
#include "core/training/lr_schedule.h"
#include "core/training/objective.h"

#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <filesystem>
#include <optional>

namespace tau::core {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace {

struct Features
{
    torch::Tensor train, trainLabels, test, testLabels; ///< train: empty under LinearProtocol::AugmentedViews
    int64_t classes = 0;
    int64_t trainImages = 0;
    std::string runDirectory;
    std::string dataset;
    /** Kept for LinearProtocol::AugmentedViews, which passes new views of the training images every epoch. */
    std::shared_ptr<LoadedRun> run;
    std::shared_ptr<ImageDataset> trainSet;
};

/** h for every image of @p set through the evaluation transform, batch by batch. */
torch::Tensor extract(const LoadedRun& run, const ImageDataset& set, int batchSize, const std::string& stage,
                      PassProgress& progress, const CancellationToken& cancel, Communicator* shards)
{
    std::vector<torch::Tensor> parts;
    PassOptions pass;
    pass.batchSize = batchSize;
    pass.stage = stage;
    pass.shards = shards;
    forEachBatch(run.model(), set, pass, progress, cancel, [&](const PassBatch& batch) {
        parts.push_back(batch.output.features.to(torch::kCPU, torch::kFloat));
    });
    return parts.empty() ? torch::Tensor() : gatherRows(pass, set.size(), torch::cat(parts));
}

bool writesResults(const RepresentationOptions& options)
{
    return options.communicator == nullptr || options.communicator->isLeader();
}

Features computeFeatures(const RepresentationOptions& options, EvaluationObserver& observer,
                         const CancellationToken& cancel, const torch::Device& device)
{
    auto run = std::make_shared<LoadedRun>(loadRun(options.checkpoint, options.dataset, options.limit, Split::Test, device));
    DataConfig trainData = run->data;
    trainData.limit = options.limitTrain;
    const bool augmented = options.protocol == LinearProtocol::AugmentedViews;
    auto train = std::make_shared<ImageDataset>(
        loadDataset(trainData, Split::Train, run->config.data, augmented ? ImageUse::Views : ImageUse::Evaluation));
    const ImageDataset& test = run->images;
    Features features;
    features.runDirectory = run->runDirectory;
    features.classes = int64_t(train->classNames.size());
    features.trainImages = train->size();
    features.dataset = run->data.name;
    PassProgress progress(observer, (augmented ? 0 : train->size()) + test.size());
    if (!augmented) {
        features.train = extract(*run, *train, options.batchSize, "features (train)", progress, cancel,
                                 options.communicator.get());
    }
    features.test = extract(*run, test, options.batchSize, "features (test)", progress, cancel, options.communicator.get());
    features.trainLabels = train->labels;
    features.testLabels = test.labels;
    if (augmented) {
        features.run = std::move(run);
        features.trainSet = std::move(train);
    }
    return features;
}

torch::Tensor knnPredictions(const torch::Tensor& train, const torch::Tensor& trainLabels, const torch::Tensor& test,
                             int k, double temperature, int64_t classes, const torch::Device& device)
{
    const torch::Tensor trainNormal = F::normalize(train, F::NormalizeFuncOptions().dim(1));
    const torch::Tensor testNormal = F::normalize(test, F::NormalizeFuncOptions().dim(1));
    NeighbourOptions search;
    search.k = k;
    search.chunk = 512;
    search.device = device;
    const Neighbours nearest = nearestNeighbours(testNormal, trainNormal, search);
    const torch::Tensor weights = (nearest.values / temperature).exp();
    torch::Tensor votes = torch::zeros({nearest.values.size(0), classes}, torch::kFloat);
    votes.scatter_add_(1, trainLabels.index_select(0, nearest.indices.reshape(-1)).view_as(nearest.indices), weights);
    return votes.argmax(1);
}

double top1(const torch::Tensor& predicted, const torch::Tensor& labels)
{
    return (predicted == labels).to(torch::kDouble).mean().item<double>();
}

/** The features both evaluations start from, on the configured device; nothing when cancelled. */
std::optional<Features> prepareFeatures(const RepresentationOptions& options, EvaluationObserver& observer,
                                        const CancellationToken& cancel)
{
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    Features features = computeFeatures(options, observer, cancel, device);
    if (cancel.stopRequested()) {
        return std::nullopt;
    }
    return features;
}

AccuracyRecord accuracyRecord(const Features& features, const RepresentationResult& result)
{
    AccuracyRecord record;
    record.dataset = features.dataset;
    record.top1 = result.top1;
    record.trainImages = features.trainImages;
    record.testImages = features.test.size(0);
    return record;
}

/**
 * h of the training images @p batch for one SGD step: rows of the precomputed features, or (the original's
 * protocol) the frozen encoder on a fresh augmented view of each, its views a function of (seed, step, image).
 */
torch::Tensor trainingFeatures(const Features& features, const ViewAugmenter* augmenter, const torch::Tensor& batch,
                               uint64_t seed, long long step)
{
    if (augmenter == nullptr) {
        return features.train.index_select(0, batch);
    }
    torch::NoGradGuard noGrad;
    const LoadedRun& run = *features.run;
    std::vector<ImageRandom> random;
    for (int64_t i = 0; i < batch.size(0); ++i) {
        random.emplace_back(imageViewSeed(seed, uint64_t(step), uint64_t(batch[i].item<int64_t>())));
    }
    std::vector<ImageExtent> sources;
    const torch::Tensor images = matchChannels(features.trainSet->gather(batch, &sources), run.input.channels).to(run.device);
    return run.objective->infer(augmenter->randomView(images, random, &sources)).features.to(torch::kCPU, torch::kFloat);
}

/** What trainHead returns: the classifier and its test accuracy after every epoch. */
struct TrainedHead
{
    torch::nn::Linear head{nullptr};
    std::vector<double> history;
};

/**
 * SGD with momentum on a fresh Linear(dim(h), classes) (initialised from options.seed), cosine from the learning
 * rate to 0 per step, batches of a seeded permutation of the training images (the last partial batch dropped).
 */
TrainedHead trainHead(const Features& features, const std::function<torch::Tensor(const torch::Tensor&, long long)>& batchFeatures,
                      const RepresentationOptions& options, const std::string& stage, EvaluationObserver& observer,
                      const CancellationToken& cancel)
{
    TrainedHead trained;
    torch::manual_seed(options.seed);
    torch::nn::Linear head(features.test.size(1), features.classes);
    torch::optim::SGD optimizer(head->parameters(), torch::optim::SGDOptions(options.learningRate)
                                                        .momentum(options.momentum)
                                                        .weight_decay(options.weightDecay));
    const int64_t n = features.trainImages;
    const int64_t stepsPerEpoch = std::max<int64_t>(1, n / options.batchSize);
    const WarmupCosineSchedule schedule(options.learningRate, options.learningRate, 0.0, 0,
                                        stepsPerEpoch * options.epochs);
    auto generator = at::detail::createCPUGenerator(options.seed);
    long long step = 0;
    for (int epoch = 0; epoch < options.epochs && !cancel.stopRequested(); ++epoch) {
        const torch::Tensor order = torch::randperm(n, generator, torch::kLong);
        for (int64_t s = 0; s < stepsPerEpoch; ++s) {
            const torch::Tensor batch = order.slice(0, s * options.batchSize, (s + 1) * options.batchSize);
            for (auto& group : optimizer.param_groups()) {
                group.options().set_lr(schedule.at(step));
            }
            const torch::Tensor inputs = batchFeatures(batch, step);
            const torch::Tensor loss = F::cross_entropy(head->forward(inputs), features.trainLabels.index_select(0, batch));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            ++step;
        }
        torch::NoGradGuard noGrad;
        trained.history.push_back(top1(head->forward(features.test).argmax(1), features.testLabels));
        observer.onProgress(stage, epoch + 1, options.epochs, 0.0);
    }
    trained.head = head;
    return trained;
}

} // namespace

void useOriginalLinearProtocol(RepresentationOptions& options)
{
    options.protocol = LinearProtocol::AugmentedViews;
    options.learningRate = 1e-4;
    options.momentum = 0.9;
    options.weightDecay = 1e-6;
    options.batchSize = 256; // the original linear protocol's batch, not the evaluation default
    options.epochs = 100;
}

LinearClassifier trainLinearClassifier(const std::vector<float>& trainFeatures, const std::vector<int64_t>& trainLabels,
                                       const std::vector<float>& testFeatures, const std::vector<int64_t>& testLabels,
                                       int64_t dim, int64_t classes, const RepresentationOptions& options)
{
    Features features;
    features.train = torch::tensor(trainFeatures).view({-1, dim});
    features.trainLabels = torch::tensor(trainLabels, torch::kLong);
    features.test = torch::tensor(testFeatures).view({-1, dim});
    features.testLabels = torch::tensor(testLabels, torch::kLong);
    features.trainImages = features.train.size(0);
    features.classes = classes;
    const auto rows = [&](const torch::Tensor& batch, long long) { return features.train.index_select(0, batch); };
    EvaluationObserver quiet;
    const CancellationToken never;
    const TrainedHead trained = trainHead(features, rows, options, "linear evaluation", quiet, never);
    const torch::Tensor weight = trained.head->weight.detach().contiguous(), bias = trained.head->bias.detach().contiguous();
    return {trained.history, {weight.data_ptr<float>(), weight.data_ptr<float>() + weight.numel()},
            {bias.data_ptr<float>(), bias.data_ptr<float>() + bias.numel()}};
}

double weightedKnnTop1(const std::vector<float>& trainFeatures, const std::vector<int64_t>& trainLabels,
                       const std::vector<float>& testFeatures, const std::vector<int64_t>& testLabels, int64_t dim,
                       int k, double temperature, const std::string& device)
{
    const auto train = torch::tensor(trainFeatures).view({-1, dim});
    const auto test = torch::tensor(testFeatures).view({-1, dim});
    const auto trainLabelTensor = torch::tensor(trainLabels, torch::kLong);
    const auto testLabelTensor = torch::tensor(testLabels, torch::kLong);
    const int64_t classes = trainLabelTensor.max().item<int64_t>() + 1;
    return top1(knnPredictions(train, trainLabelTensor, test, k, temperature, classes, resolveDevice(device)), testLabelTensor);
}

RepresentationResult evaluateKnnAccuracy(const RepresentationOptions& options, EvaluationObserver& observer,
                                         const CancellationToken& cancel)
{
    RepresentationResult result;
    const std::optional<Features> prepared = prepareFeatures(options, observer, cancel);
    if (!prepared) {
        result.cancelled = true;
        return result;
    }
    const Features& features = *prepared;
    result.top1 = top1(knnPredictions(features.train, features.trainLabels, features.test, options.knnK,
                                      options.knnTemperature, features.classes, resolveDevice(options.device)),
                       features.testLabels);
    result.directory = RunPaths{features.runDirectory}.evaluation(options.name.empty() ? kKnnEvaluationName : options.name);
    AccuracyRecord record = accuracyRecord(features, result);
    record.settings = {{"k", options.knnK}, {"temperature", options.knnTemperature}};
    record.features = "h (normalised)";
    if (writesResults(options)) {
        writeAccuracyMetrics(result.directory, record);
    }
    return result;
}

RepresentationResult evaluateLinear(const RepresentationOptions& options, EvaluationObserver& observer,
                                    const CancellationToken& cancel)
{
    RepresentationResult result;
    const std::optional<Features> prepared = prepareFeatures(options, observer, cancel);
    if (!prepared) {
        result.cancelled = true;
        return result;
    }
    const Features& features = *prepared;
    if (options.protocol == LinearProtocol::AugmentedViews && options.communicator && options.communicator->worldSize() > 1) {
        throw TauError("linear evaluation on augmented views (the original's protocol) runs in one process: "
                       "leave out --nproc");
    }
    std::unique_ptr<ViewAugmenter> augmenter;
    if (features.run) {
        AugmentationOptions views = features.run->transform->options(); // crop size and the set's statistics
        augmenter = std::make_unique<ViewAugmenter>(views);
        features.run->objective->setTraining(false); // frozen, BatchNorm statistics included
    }
    const auto batchFeatures = [&](const torch::Tensor& batch, long long step) {
        return trainingFeatures(features, augmenter.get(), batch, options.seed, step);
    };
    const std::string stage = augmenter ? "linear evaluation (augmented views)" : "linear evaluation";
    result.history = trainHead(features, batchFeatures, options, stage, observer, cancel).history;
    if (cancel.stopRequested()) {
        result.cancelled = true;
        return result;
    }
    result.top1 = result.history.empty() ? 0.0 : result.history.back();
    result.directory = RunPaths{features.runDirectory}.evaluation(options.name.empty() ? kLinearEvaluationName : options.name);
    AccuracyRecord record = accuracyRecord(features, result);
    record.linear = true;
    record.history = result.history;
    record.settings = {{"epochs", options.epochs},
                       {"learning_rate", options.learningRate},
                       {"weight_decay", options.weightDecay}};
    record.protocol = augmenter ? "original" : "ours";
    record.features = augmenter ? "h of augmented views (frozen encoder)" : "h (frozen)";
    if (writesResults(options)) {
        writeAccuracyMetrics(result.directory, record);
    }
    return result;
}

} // namespace tau::core
