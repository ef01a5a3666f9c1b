// The GPU paths. What needs no GPU runs everywhere: the out-of-memory line, GPU memory in the step records, bf16
// autocast (which torch also runs on the CPU). What needs one (CPU = CUDA for a step in float64, bf16 on CUDA, a real
// out-of-memory error, NCCL with one process, the allocator's numbers) is written here too and skips, saying why,
// where no GPU is visible: the same binary proves it on a GPU machine (bench/gpu/check.sh runs it there).

#include "core/common/autocast.h"
#include "core/common/gpu_memory.h"
#include "core/common/torch_errors.h"
#include "core/config/config_loader.h"
#include "core/data/batch_loader.h"
#include "core/distributed/communicator.h"
#include "core/distributed/distributed_environment.h"
#include "core/io/metrics_reader.h"
#include "core/evaluation/neighbours.h"
#include "core/io/run_directory.h"
#include "core/models/contrastive_model.h"
#include "core/models/memory_format.h"
#include "core/objectives/contrastive_losses.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace tau::core;

namespace {

// PyTorch's own wording, as c10/cuda/CUDACachingAllocator.cpp writes it in 2.x and in 1.13.
const std::string kMessage2x =
    "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.50 GiB is "
    "free. Including non-PyTorch memory, this process has 77.68 GiB memory in use. Of the allocated memory 76.12 GiB "
    "is allocated by PyTorch, and 1.02 GiB is reserved by PyTorch but unallocated.";
const std::string kMessage113 = "CUDA out of memory. Tried to allocate 512.00 MiB (GPU 0; 15.78 GiB total capacity; "
                                "14.20 GiB already allocated; 311.56 MiB free; 14.90 GiB reserved in total by PyTorch)";

bool cudaVisible()
{
    return torch::cuda::is_available();
}

/** The default run's model (small CNN, TaU head) on 28x28 grey images. */
ContrastiveModel smallModel()
{
    ExperimentConfig config;
    torch::manual_seed(7);
    return ContrastiveModel(config.model, ModelInput{});
}

/** The TaU-SimCLR loss of two views of @p images (the second flipped), for @p model. */
torch::Tensor tauLossOf(ContrastiveModel& model, const torch::Tensor& images)
{
    const ModelOutput a = model->forward(images);
    const ModelOutput b = model->forward(images.flip({3}));
    return tauSimclrLoss(a.loc, a.rawR, b.loc, b.rawR, ContrastiveLossOptions{});
}

/** The largest relative difference between two models' gradients, parameter by parameter. */
double gradientDifference(ContrastiveModel& a, ContrastiveModel& b)
{
    double worst = 0;
    const auto first = a->parameters(), second = b->parameters();
    for (size_t i = 0; i < first.size(); ++i) {
        const torch::Tensor x = first[i].grad().to(torch::kCPU, torch::kDouble);
        const torch::Tensor y = second[i].grad().to(torch::kCPU, torch::kDouble);
        worst = std::max(worst, ((x - y).abs().max() / (y.abs().max() + 1e-12)).item<double>());
    }
    return worst;
}

/** 64 random 40x40 RGB images: views are resampled to 32x32 crops. */
ImageDataset randomRgbImages()
{
    torch::manual_seed(3);
    ImageDataset dataset;
    dataset.images = torch::randint(0, 256, {64, 3, 40, 40}, torch::kUInt8);
    dataset.labels = torch::randint(0, 10, {64}, torch::kLong);
    dataset.mean = {0.49, 0.48, 0.45};
    dataset.std = {0.25, 0.24, 0.26};
    return dataset;
}

/** The first batch of epoch 0 that a loader with @p options cuts from @p dataset. */
TrainingBatch firstBatch(const ImageDataset& dataset, const torch::Device& device, bool channelsLast)
{
    AugmentationOptions augmentation;
    augmentation.cropSize = 32;
    augmentation.mean = dataset.mean;
    augmentation.std = dataset.std;
    const ViewAugmenter augmenter(augmentation);
    BatchLoaderOptions options;
    options.batchSize = 32;
    options.device = device;
    options.channelsLast = channelsLast;
    BatchLoader loader(dataset, augmenter, options);
    loader.startEpoch(0, 0);
    return loader.next();
}

/** bf16 against fp32 on @p device: the loss within 2% (bfloat16 keeps 8 significant bits; measured: well under). */
void checkBf16Step(const torch::Device& device)
{
    ContrastiveModel model = smallModel();
    model->to(device);
    torch::manual_seed(11);
    const torch::Tensor images = torch::rand({32, 1, 28, 28}).to(device);
    const double full = tauLossOf(model, images).item<double>();

    torch::Tensor loss;
    {
        const ReducedPrecisionScope bf16(device, true);
        const torch::Tensor conv = torch::conv2d(images, torch::ones({2, 1, 3, 3}, images.options()));
        QCOMPARE(conv.scalar_type(), torch::kBFloat16); // autocast is really on for the encoder's layers
        const ModelOutput out = model->forward(images);
        QCOMPARE(out.rawR.scalar_type(), torch::kFloat); // the temperature head stays float32
        QCOMPARE(out.loc.scalar_type(), torch::kFloat);
        loss = tauLossOf(model, images);
    }
    QCOMPARE(loss.scalar_type(), torch::kFloat); // and so does the loss
    QCOMPARE(torch::conv2d(images, torch::ones({2, 1, 3, 3}, images.options())).scalar_type(), torch::kFloat);
    const double reduced = loss.item<double>();
    qInfo("%s: bf16 loss %.6f against fp32 %.6f (%.3f%% apart)", device.str().c_str(), reduced, full,
          100.0 * std::abs(reduced - full) / std::abs(full));
    QVERIFY2(std::abs(reduced - full) <= 0.02 * std::abs(full),
             qPrintable(QStringLiteral("bf16 loss %1 against fp32 %2").arg(reduced, 0, 'g', 8).arg(full, 0, 'g', 8)));
    loss.backward(); // outside the scope, as training does: the weights' gradients are float32
    for (const torch::Tensor& parameter : model->parameters()) {
        QVERIFY(parameter.grad().defined());
        QCOMPARE(parameter.grad().scalar_type(), torch::kFloat);
        QVERIFY(torch::isfinite(parameter.grad()).all().item<bool>());
    }
}

} // namespace

class TestGpu : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outOfMemoryLineNamesTheNumbers();
    void outOfMemoryInsideTorchBecomesThatLine();
    void gpuMemoryTravelsInTheStepRecords();
    void bf16IsAPrecisionChoice();
    void bf16StepOnTheCpuIsCloseToFp32();
    void channelsLastLeavesTheStepUnchanged();

    void cpuAndCudaAgreeOnAStepInFloat64();
    void bf16StepOnCudaIsCloseToFp32();
    void cudaOutOfMemoryIsOneLine();
    void gpuMemoryIsMeasured();
    void ncclWithOneProcess();
    void cudaLoaderCutsTheCpuLoadersViews();
    void neighbourSearchOnCudaMatchesTheCpu();
};

void TestGpu::outOfMemoryLineNamesTheNumbers()
{
    const OutOfMemoryFacts facts = outOfMemoryFacts(kMessage2x);
    QCOMPARE(facts.requested, std::string("2.00 GiB"));
    QCOMPARE(facts.free, std::string("1.50 GiB"));
    QCOMPARE(facts.total, std::string("79.19 GiB"));
    const OutOfMemoryFacts old = outOfMemoryFacts(kMessage113);
    QCOMPARE(old.requested, std::string("512.00 MiB"));
    QCOMPARE(old.free, std::string("311.56 MiB"));
    QCOMPARE(old.total, std::string("15.78 GiB"));

    const std::string line = outOfMemoryMessage(kMessage2x, "training step 12", "optimizer.batch_size", 512);
    QVERIFY2(line.find('\n') == std::string::npos, line.c_str());
    for (const char* part : {"training step 12", "optimizer.batch_size = 512", "asked for 2.00 GiB",
                             "1.50 GiB free of 79.19 GiB", "Lower optimizer.batch_size (to 256, say)", "bf16"}) {
        QVERIFY2(line.find(part) != std::string::npos, (line + " lacks: " + part).c_str());
    }
    // A message in a wording not known: still one line, saying what it cannot.
    const std::string vague = outOfMemoryMessage("out of memory", "evaluation", "--batch-size", 0);
    QVERIFY2(vague.find("asked for more with an unknown amount free. Lower --batch-size,") != std::string::npos,
             vague.c_str());
}

void TestGpu::outOfMemoryInsideTorchBecomesThatLine()
{
    try {
        translateTorchErrors("evaluation", []() -> int {
            throw c10::OutOfMemoryError({__func__, __FILE__, uint32_t(__LINE__)}, kMessage2x);
        });
        QFAIL("no error");
    } catch (const TauError& error) {
        const std::string what = error.what();
        QVERIFY2(what.rfind("GPU memory ran out in evaluation: it asked for 2.00 GiB with 1.50 GiB free of 79.19 GiB",
                            0) == 0,
                 what.c_str());
        QVERIFY2(what.find("--batch-size") != std::string::npos, what.c_str());
    }
}

void TestGpu::gpuMemoryTravelsInTheStepRecords()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("metrics.jsonl").toStdString();
    {
        MetricsWriter writer(path);
        StepRecord onGpu;
        onGpu.epoch = 1;
        onGpu.step = 1;
        onGpu.gpuMemoryMb = 1234.5;
        onGpu.gpuPeakMb = 2345.25;
        writer.write(onGpu);
        StepRecord onCpu;
        onCpu.epoch = 1;
        onCpu.step = 2;
        writer.write(onCpu);
    }
    const MetricsHistory history = readMetricsFile(path);
    QCOMPARE(history.steps.size(), size_t(2));
    QCOMPARE(history.steps[0].gpuMemoryMb.value_or(-1), 1234.5);
    QCOMPARE(history.steps[0].gpuPeakMb.value_or(-1), 2345.25);
    QVERIFY(!history.steps[1].gpuMemoryMb && !history.steps[1].gpuPeakMb);
    QCOMPARE(gpuMemory(torch::Device(torch::kCPU)).has_value(), false); // the CPU reports none
}

void TestGpu::bf16IsAPrecisionChoice()
{
    QCOMPARE(loadConfigText("precision: bf16\n", "bf16.yaml").precision, std::string("bf16"));
    try {
        loadConfigText("precision: fp16\n", "fp16.yaml");
        QFAIL("fp16 accepted");
    } catch (const ConfigError& error) {
        QVERIFY2(std::string(error.what()).find("bf16") != std::string::npos, error.what());
    }
}

void TestGpu::bf16StepOnTheCpuIsCloseToFp32()
{
    checkBf16Step(torch::Device(torch::kCPU));
}

void TestGpu::channelsLastLeavesTheStepUnchanged()
{
    // A ResNet-18 (BatchNorm, strided and 1x1 convolutions) on RGB images, contiguous and channels_last.
    ExperimentConfig config;
    config.model.encoder = "resnet18";
    const ModelInput input{3, 32, 0};
    torch::manual_seed(7);
    ContrastiveModel contiguous(config.model, input);
    torch::manual_seed(7);
    ContrastiveModel channelsLast(config.model, input);
    // In float64, so that what is left is the layout's effect and not float32's rounding through BatchNorm.
    contiguous->to(torch::kDouble);
    channelsLast->to(torch::kDouble);
    convertToChannelsLast(*channelsLast);
    int converted = 0;
    for (const torch::Tensor& parameter : channelsLast->parameters()) {
        converted += parameter.dim() == 4 && parameter.is_contiguous(at::MemoryFormat::ChannelsLast) &&
                     !parameter.is_contiguous();
    }
    QCOMPARE(converted, 17); // the stem's and the blocks' 3x3 convolutions; a 1x1 kernel is both layouts at once
    torch::manual_seed(5);
    const torch::Tensor images = torch::rand({16, 3, 32, 32}, torch::kDouble);
    const torch::Tensor a = tauLossOf(contiguous, images);
    const torch::Tensor b = tauLossOf(channelsLast, images.contiguous(at::MemoryFormat::ChannelsLast));
    a.backward();
    b.backward();
    QVERIFY2(std::abs(a.item<double>() - b.item<double>()) <= 1e-12 * std::abs(a.item<double>()),
             qPrintable(QStringLiteral("%1 vs %2").arg(a.item<double>()).arg(b.item<double>())));
    // Against the largest gradient of the model: some gradients are zero but for rounding (a bias before BatchNorm),
    // where a parameter-by-parameter ratio would compare noise with noise.
    double worst = 0, largest = 0;
    const auto first = channelsLast->parameters(), second = contiguous->parameters();
    for (size_t i = 0; i < first.size(); ++i) {
        worst = std::max(worst, (first[i].grad() - second[i].grad()).abs().max().item<double>());
        largest = std::max(largest, second[i].grad().abs().max().item<double>());
    }
    QVERIFY2(worst <= 1e-9 * largest, qPrintable(QStringLiteral("gradients differ by %1 of %2").arg(worst).arg(largest)));
    QCOMPARE(usesChannelsLast("auto", torch::kCPU), false);
    QCOMPARE(usesChannelsLast("auto", torch::Device(torch::kCUDA, 0)), true);
    QCOMPARE(usesChannelsLast("contiguous", torch::Device(torch::kCUDA, 0)), false);
    QCOMPARE(usesChannelsLast("channels_last", torch::kCPU), true);
}

void TestGpu::cpuAndCudaAgreeOnAStepInFloat64()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: this step's CPU = CUDA check runs on a GPU machine");
    }
    ContrastiveModel onCpu = smallModel();
    ContrastiveModel onCuda = smallModel(); // the same seed: the same weights
    onCpu->to(torch::kDouble);
    onCuda->to(torch::Device(torch::kCUDA), torch::kDouble);
    torch::manual_seed(5);
    const torch::Tensor images = torch::rand({32, 1, 28, 28}, torch::kDouble);
    const torch::Tensor cpuLoss = tauLossOf(onCpu, images);
    const torch::Tensor cudaLoss = tauLossOf(onCuda, images.to(torch::kCUDA));
    cpuLoss.backward();
    cudaLoss.backward();
    const double a = cpuLoss.item<double>(), b = cudaLoss.item<double>();
    QVERIFY2(std::abs(a - b) <= 1e-10 * std::abs(a), qPrintable(QStringLiteral("%1 vs %2").arg(a, 0, 'g', 17).arg(b, 0, 'g', 17)));
    const double difference = gradientDifference(onCuda, onCpu);
    QVERIFY2(difference <= 1e-8, qPrintable(QStringLiteral("gradients differ by %1 (relative)").arg(difference)));
}

void TestGpu::bf16StepOnCudaIsCloseToFp32()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: bf16 on CUDA is checked on a GPU machine");
    }
    checkBf16Step(torch::Device(torch::kCUDA));
}

void TestGpu::cudaOutOfMemoryIsOneLine()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: a real CUDA out-of-memory error needs a GPU");
    }
    try {
        translateTorchErrors("evaluation", [] { return torch::empty({int64_t(1) << 45}, torch::kCUDA); }); // 128 TiB
        QFAIL("128 TiB were allocated");
    } catch (const TauError& error) {
        const std::string what = error.what();
        QVERIFY2(what.rfind("GPU memory ran out in evaluation: it asked for 128.00 TiB with ", 0) == 0, what.c_str());
        QVERIFY2(what.find("unknown amount") == std::string::npos, what.c_str()); // the free memory was read
    }
}

void TestGpu::gpuMemoryIsMeasured()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: the caching allocator's numbers need a GPU");
    }
    const torch::Device cuda(torch::kCUDA, 0);
    resetGpuPeak(cuda);
    const double before = gpuMemory(cuda)->inUseMb;
    {
        const torch::Tensor block = torch::empty({64 * 1024 * 1024 / 4}, torch::TensorOptions(torch::kFloat).device(cuda));
        const GpuMemory during = *gpuMemory(cuda);
        QVERIFY2(during.inUseMb >= before + 64 - 1e-9, qPrintable(QString::number(during.inUseMb)));
    }
    const GpuMemory after = *gpuMemory(cuda);
    QVERIFY(after.inUseMb < before + 1);
    QVERIFY(after.peakMb >= before + 64 - 1e-9); // the peak remembers the 64 MiB
}

void TestGpu::ncclWithOneProcess()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: NCCL needs a GPU");
    }
    DistributedEnvironment environment;
    environment.masterPort = 29731;
    environment.timeoutSeconds = 60;
    Communicator communicator(environment, "cuda");
    QCOMPARE(communicator.backend(), std::string("nccl"));
    torch::Tensor sum = torch::arange(4, torch::TensorOptions(torch::kFloat).device(torch::kCUDA));
    communicator.allReduceSum(sum);
    QVERIFY(torch::equal(sum.cpu(), torch::arange(4, torch::kFloat)));
    const torch::Tensor gathered = communicator.allGather(sum);
    QVERIFY(torch::equal(gathered.cpu(), torch::arange(4, torch::kFloat)));
    communicator.barrier();
}

void TestGpu::cudaLoaderCutsTheCpuLoadersViews()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: the GPU data path (pinned uint8, the loader's stream, views cut there) needs a GPU");
    }
    const ImageDataset dataset = randomRgbImages();
    const TrainingBatch onCpu = firstBatch(dataset, torch::kCPU, false);
    // cuDNN may run the blur's convolution in TF32 (torch's default), 10 bits of mantissa: off, so that what is
    // compared is the data path, not TF32's rounding.
    const bool tf32 = at::globalContext().allowTF32CuDNN();
    at::globalContext().setAllowTF32CuDNN(false);
    const TrainingBatch onCuda = firstBatch(dataset, torch::Device(torch::kCUDA, 0), true);
    at::globalContext().setAllowTF32CuDNN(tf32);
    QVERIFY(onCuda.images.is_cuda() && onCuda.view1.is_cuda() && onCuda.view2.is_cuda());
    QCOMPARE(onCuda.images.scalar_type(), torch::kUInt8); // uint8 crossed, not floats
    QVERIFY(onCuda.view1.is_contiguous(at::MemoryFormat::ChannelsLast));
    QVERIFY(torch::equal(onCuda.images.cpu(), onCpu.images));
    QVERIFY(torch::equal(onCuda.labels.cpu(), onCpu.labels));
    // The same parameters from the same per-image streams; the GPU's arithmetic differs only in rounding.
    for (const auto& [gpu, cpu] : {std::pair{onCuda.view1, onCpu.view1}, std::pair{onCuda.view2, onCpu.view2}}) {
        const double worst = (gpu.cpu() - cpu).abs().max().item<double>();
        qInfo("CUDA views against the CPU's: largest difference %.3g", worst);
        QVERIFY2(worst < 1e-3, qPrintable(QStringLiteral("views differ by %1").arg(worst)));
    }
}

void TestGpu::neighbourSearchOnCudaMatchesTheCpu()
{
    if (!cudaVisible()) {
        QSKIP("no CUDA device visible: the neighbour search on a GPU needs one");
    }
    torch::manual_seed(9);
    const torch::Tensor reference = torch::nn::functional::normalize(torch::randn({6000, 64}),
                                                                      torch::nn::functional::NormalizeFuncOptions().dim(1));
    const torch::Tensor queries = reference.slice(0, 0, 700) + 0.05 * torch::randn({700, 64});
    for (const bool excludeSelf : {false, true}) {
        NeighbourOptions options;
        options.k = 10;
        options.excludeSelf = excludeSelf;
        options.chunk = 256;
        const torch::Tensor asked = excludeSelf ? reference.slice(0, 0, 700) : queries;
        const Neighbours cpu = nearestNeighbours(asked, reference, options);
        options.device = torch::Device(torch::kCUDA, 0);
        const Neighbours gpu = nearestNeighbours(asked, reference, options);
        QVERIFY(!gpu.values.is_cuda()); // back on the queries' device
        QVERIFY((gpu.values - cpu.values).abs().max().item<double>() < 1e-5);
        const double agreeing = gpu.indices.eq(cpu.indices).to(torch::kDouble).mean().item<double>();
        QVERIFY2(agreeing > 0.999, qPrintable(QStringLiteral("%1 of the neighbours agree").arg(agreeing)));
    }
}

QTEST_APPLESS_MAIN(TestGpu)
#include "tst_gpu.moc"
