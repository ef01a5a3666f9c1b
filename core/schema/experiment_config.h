#pragma once

#include <map>
#include <string>
#include <vector>

namespace tau::core {

/** Which dataset to train on and how much of it. */
struct DataConfig
{
    std::string name = "fashion_mnist";
    std::string root; ///< empty: data.roots.<name>, then $TAU_DATA_ROOT/<folder>, then the dataset's default
    long long trainSubset = 0; ///< 0: the whole training split; otherwise the first N images of a seeded shuffle
    std::vector<int> classes;  ///< keep only these classes (held-out classes make near-OOD sets); empty: all
    long long limit = 0;       ///< at most N images (a seeded choice); 0: all
    int imageSize = 0;         ///< image-folder sets: decode to this size; 0: the dataset's own size
};

/** Where datasets live and how strictly folders of images are read. */
struct DataSettings
{
    std::map<std::string, std::string> roots; ///< data.roots.<name>: a folder per dataset name
    bool strict = false; ///< true: an undecodable image in a folder fails the run instead of being skipped
    int cacheMegabytes = 512; ///< decoded images kept per folder dataset
};

struct ModelConfig
{
    std::string encoder = "small_cnn"; ///< small_cnn, resnet18 or resnet50
    std::string conv3x3 = "auto";      ///< ResNet stem: "auto" (3x3 for images up to 64 px), "true", "false"
    bool mcDropout = false;            ///< ResNet with dropout2d in every block, kept on at inference
    double dropout = 0.5;
    int outDim = 128;
    bool finalBn = true;
    bool posteriorHead = true; ///< one extra output r per image (the temperature logit)
    /** Post-hoc TaU: the frozen encoder, a checkpoint of ours (a .pt file or a run directory) ... */
    std::string encoderCheckpoint;
    /** ... or a TorchScript module mapping images to features. */
    std::string encoderTorchscript;
};

struct LossConfig
{
    double t = 0.1;
    double eps = 1e-6;
    bool simclrMask = false; ///< true: denominator excludes only k = i; false (repo): also the positive
    std::string tauNumerator = "anchor"; ///< "anchor" or "first_view" (the original repository's numerator)
    long long queueSize = 65536; ///< MoCo: K, the number of queued keys (a multiple of the batch size)
    double momentum = 0.999;     ///< MoCo: key encoder momentum m
    double beta = 1e-4;          ///< HIB: weight of the KL term
    int samples = 4;             ///< HIB: reparameterised samples per view
    /** Outlier exposure (tau_simclr_oe): the weight of -log(1 - c) over the synthetic outliers of each step. */
    double outlierWeight = 1.0;
    double outlierFraction = 0.25; ///< outliers per step, as a share of the batch
    /** The synthetic outlier families (core/data/synthetic_outliers.h), drawn in equal shares. */
    std::vector<std::string> outlierFamilies = {"jigsaw", "smooth_field"};
};

struct OptimizerConfig
{
    std::string name = "adam";
    int batchSize = 128;
    double learningRate = 1e-4;
    double startLr = 0.0;
    double finalLr = 0.0;
    double warmupEpochs = 10;
    double weightDecay = 1e-6;
    double momentum = 0.9;
    bool lars = false;          ///< wrap the optimizer in LARS
    double larsEta = 0.001;     ///< LARS trust coefficient
    bool excludeBnBias = false; ///< biases and BatchNorm parameters (the 1-D ones): no weight decay, no LARS...
    bool larsOnExcluded = false; ///< ...unless `exclude_bn_bias: original`: no weight decay, LARS still scales them
    std::string schedule = "warmup_cosine"; ///< "warmup_cosine" or "moco_step"
};

struct LoggingConfig
{
    int stepEvery = 10;       ///< a step record in metrics.jsonl every N steps
    int checkpointEvery = 5;  ///< epoch_XXXX.pt every N epochs (last.pt is written every epoch)
    int histogramBins = 20;
    int knnEvery = 0;      ///< kNN top-1 of h on held-out images every N epochs (and the last), as knn_top1; 0: off
    int knnImages = 1000;  ///< at most N images of the training split (the reference) and of the test split
};

/** The fully resolved experiment: every default filled in. Plain data, no behaviour. */
struct ExperimentConfig
{
    std::string sourcePath; ///< where it was loaded from (for messages); not written back
    std::string expName = "tau_simclr";
    /** a name of systemCatalog() (core/methods/system_catalog.h): tau_simclr, simclr, ... */
    std::string system = "tau_simclr";
    std::string runsDir = "runs";
    std::string device = "auto"; ///< "auto", "cpu", "cuda" or "cuda:N"
    /** A run directory (or its checkpoints/last.pt) to continue, as the original's key of that name. */
    std::string continueFromCheckpoint;
    int threads = 0;              ///< 0: one per core
    /**
     * Training's arithmetic: "float32"; "float64" (exactness checks, slower); "bf16" (the encoder's forward in
     * bfloat16 autocast, weights, heads and loss in float32: faster on GPUs with bf16 units).
     */
    std::string precision = "float32";
    /**
     * The layout of images and convolution weights: "channels_last" (NHWC, what cuDNN's fastest kernels read),
     * "contiguous" (NCHW) or "auto": channels_last on a GPU, contiguous on the CPU (docs/performance.md measures both).
     */
    std::string memoryFormat = "auto";
    bool syncBatchNorm = false;   ///< distributed training: BatchNorm statistics over the global batch, not per rank
    long long seed = 1337;
    int numEpochs = 200;
    DataConfig dataset;
    DataSettings data;
    ModelConfig model;
    LossConfig loss;
    OptimizerConfig optimizer;
    LoggingConfig logging;
};

} // namespace tau::core
