// Benchmarks of the core, run by ./tau bench beside bench/python_reference.py (the same work in Python).

#include "core/data/augmentation.h"
#include "core/evaluation/ood_metrics.h"
#include "core/data/dataset_registry.h"
#include "core/objectives/contrastive_losses.h"
#include "core/models/contrastive_model.h"
#include "core/models/memory_format.h"

#include <ATen/CPUGeneratorImpl.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <thread>

namespace {

using namespace tau::core;

void configureTorchThreads()
{
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
}

void loadFashionMnistTrain(benchmark::State& state)
{
    for (auto _ : state) {
        const ImageDataset train = loadDataset(DataConfig{}, Split::Train);
        benchmark::DoNotOptimize(train.images.data_ptr());
    }
}

const ImageDataset& fashionTest()
{
    static const ImageDataset test = loadDataset(DataConfig{}, Split::Test);
    return test;
}

void twoViewsOfABatch(benchmark::State& state)
{
    configureTorchThreads();
    AugmentationOptions options;
    options.cropSize = 28;
    options.mean = {0.2860};
    options.std = {0.3530};
    const ViewAugmenter augmenter(options);
    const torch::Tensor batch = fashionTest().images.slice(0, 0, 256);
    auto generator = at::detail::createCPUGenerator(1);
    torch::NoGradGuard noGrad;
    for (auto _ : state) {
        benchmark::DoNotOptimize(augmenter.randomView(batch, generator));
        benchmark::DoNotOptimize(augmenter.randomView(batch, generator));
    }
    state.SetItemsProcessed(state.iterations() * 256);
}

/** One TaU-SimCLR step on two views: both forwards, the loss, backward and Adam. */
void tauSimclrStep(ContrastiveModel& model, torch::optim::Adam& optimizer, const torch::Tensor& view1,
                   const torch::Tensor& view2)
{
    const ModelOutput a = model->forward(view1);
    const ModelOutput b = model->forward(view2);
    const torch::Tensor loss = tauSimclrLoss(a.loc, a.rawR, b.loc, b.rawR, ContrastiveLossOptions{});
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
}

void tauSimclrTrainingStep(benchmark::State& state)
{
    configureTorchThreads();
    torch::manual_seed(0);
    ModelConfig config;
    ContrastiveModel model(config, ModelInput{1, 28});
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    const torch::Tensor view1 = torch::randn({256, 1, 28, 28});
    const torch::Tensor view2 = torch::randn({256, 1, 28, 28});
    for (auto _ : state) {
        tauSimclrStep(model, optimizer, view1, view2);
    }
    state.SetItemsProcessed(state.iterations() * 256);
}

/**
 * The view path on CIFAR-shaped images (256 x 3 x 32 x 32): 0 the CPU path (each jitter on the images that have it
 * at each position), 1 the device-side path (fixed-shape kernels over the whole batch, what a GPU runs), on the
 * CPU: what the CPU would pay for running the GPU's path.
 */
void viewPathOnTheCpu(benchmark::State& state)
{
    configureTorchThreads();
    AugmentationOptions options;
    options.cropSize = 32;
    options.mean = {0.49, 0.48, 0.45};
    options.std = {0.25, 0.24, 0.26};
    const ViewAugmenter augmenter(options);
    torch::manual_seed(0);
    const torch::Tensor batch = torch::randint(0, 256, {256, 3, 32, 32}, torch::kUInt8);
    torch::NoGradGuard noGrad;
    uint64_t step = 0;
    for (auto _ : state) {
        std::vector<ImageRandom> random;
        for (uint64_t i = 0; i < 256; ++i) {
            random.emplace_back(imageViewSeed(1, step, i));
        }
        ++step;
        const std::vector<ViewParameters> views = augmenter.sampleViews(batch, random);
        benchmark::DoNotOptimize(state.range(0) == 0 ? augmenter.applyView(batch, views)
                                                     : augmenter.applyViewTable(batch, viewTable(views, {32, 32})));
    }
    state.SetItemsProcessed(state.iterations() * 256);
}

/**
 * A TaU-SimCLR step in each memory format: range(0) the model, 0 the small CNN on 256 grey 28x28 views (the default
 * config), 1 ResNet-18 (3x3 stem) on 64 RGB 32x32 views; range(1) the layout, 0 contiguous (NCHW), 1 channels_last.
 */
void trainingStepByMemoryFormat(benchmark::State& state)
{
    configureTorchThreads();
    torch::manual_seed(0);
    const bool resnet = state.range(0) == 1;
    ModelConfig config;
    config.encoder = resnet ? "resnet18" : "small_cnn";
    const ModelInput input = resnet ? ModelInput{3, 32} : ModelInput{1, 28};
    const int64_t batch = resnet ? 64 : 256;
    ContrastiveModel model(config, input);
    const bool channelsLast = state.range(1) == 1;
    const auto layout = channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    if (channelsLast) {
        convertToChannelsLast(*model);
    }
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    const torch::Tensor view1 = torch::randn({batch, input.channels, input.imageSize, input.imageSize}).contiguous(layout);
    const torch::Tensor view2 = torch::randn({batch, input.channels, input.imageSize, input.imageSize}).contiguous(layout);
    for (auto _ : state) {
        tauSimclrStep(model, optimizer, view1, view2);
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

/** AUROC and ROC points on 10^6 scores (half ID, half OOD), as bench/python_reference.py does with sklearn. */
void aurocAndRocOnAMillionScores(benchmark::State& state)
{
    auto generator = at::detail::createCPUGenerator(3);
    const torch::Tensor id = torch::randn({500000}, generator, torch::kDouble) + 0.5;
    const torch::Tensor ood = torch::randn({500000}, generator, torch::kDouble);
    const std::vector<double> idScores(id.data_ptr<double>(), id.data_ptr<double>() + id.numel());
    const std::vector<double> oodScores(ood.data_ptr<double>(), ood.data_ptr<double>() + ood.numel());
    for (auto _ : state) {
        benchmark::DoNotOptimize(areaUnderRoc(idScores, oodScores));
        benchmark::DoNotOptimize(rocCurve(idScores, oodScores));
    }
}

/**
 * Scoring throughput (images/s) for each family of scores on the small CNN, batch 256, the computation
 * tau ood does per batch: one pass (tau, tau_repo, hib, msp, energy), T = 10 dropout passes (mc_dropout),
 * 5 models (ensemble), forward-backward-forward (odin), one pass plus distances to 60,000 references (knn).
 */
void scoringThroughput(benchmark::State& state)
{
    configureTorchThreads();
    const int kind = int(state.range(0));
    ModelConfig config;
    config.mcDropout = kind == 1;
    std::vector<ContrastiveModel> models;
    for (int i = 0; i < (kind == 2 ? 5 : 1); ++i) {
        models.emplace_back(config, ModelInput{1, 28, kind == 3 ? 10 : 0});
        models.back()->eval();
    }
    const torch::Tensor images = torch::randn({256, 1, 28, 28});
    const torch::Tensor reference =
        torch::nn::functional::normalize(torch::randn({60000, 128}), torch::nn::functional::NormalizeFuncOptions().dim(1));
    for (auto _ : state) {
        if (kind == 3) { // odin
            torch::Tensor x = images.clone().requires_grad_(true);
            const torch::Tensor logits = models[0]->forward(x).loc / 1000.0;
            torch::nn::functional::cross_entropy(logits, logits.argmax(1)).backward();
            torch::NoGradGuard noGrad;
            benchmark::DoNotOptimize(torch::softmax(models[0]->forward(x - 0.0014 * x.grad().sign()).loc / 1000.0, 1));
            continue;
        }
        torch::NoGradGuard noGrad;
        const int passes = kind == 1 ? 10 : 1;
        for (auto& model : models) {
            for (int pass = 0; pass < passes; ++pass) {
                const torch::Tensor loc = model->forward(images).loc;
                if (kind == 4) { // knn
                    const torch::Tensor q = torch::nn::functional::normalize(loc, torch::nn::functional::NormalizeFuncOptions().dim(1));
                    benchmark::DoNotOptimize(std::get<0>((2.0 - 2.0 * q.matmul(reference.t())).topk(10, 1, false)));
                }
                benchmark::DoNotOptimize(loc);
            }
        }
    }
    state.SetItemsProcessed(state.iterations() * 256);
    static const char* const names[] = {"tau, tau_repo, hib, msp, energy", "mc_dropout (10 passes)",
                                        "ensemble (5 models)", "odin", "knn (60,000 references)"};
    state.SetLabel(names[kind]);
}

} // namespace

BENCHMARK(scoringThroughput)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(aurocAndRocOnAMillionScores)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(loadFashionMnistTrain)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(twoViewsOfABatch)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(tauSimclrTrainingStep)->Unit(benchmark::kMillisecond)->MinTime(5.0);
BENCHMARK(viewPathOnTheCpu)->DenseRange(0, 1)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(trainingStepByMemoryFormat)->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMillisecond)->MinTime(5.0);
BENCHMARK_MAIN();
