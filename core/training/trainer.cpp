#include "core/training/trainer.h"

#include "core/common/autocast.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/gpu_memory.h"
#include "core/common/torch_errors.h"
#include "core/distributed/communicator.h"
#include "core/distributed/gradient_averager.h"
#include "core/io/run_directory.h"
#include "core/io/run_lock.h"
#include "core/methods/system_catalog.h"
#include "core/training/certainty_statistics.h"
#include "core/training/checkpoint.h"
#include "core/training/lr_schedule.h"
#include "core/training/objective.h"
#include "core/training/objective_state.h"
#include "core/training/optimizer_factory.h"
#include "core/training/precision_scope.h"
#include "core/training/run_folder_claim.h"
#include "core/training/run_recorder.h"
#include "core/training/training_callback.h"
#include "core/training/training_data.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

namespace tau::core {

namespace {

using Clock = std::chrono::steady_clock;

/** @p values (on the training device) averaged over a job's ranks in one all-reduce, read back as doubles. */
torch::Tensor meanOverRanks(torch::Tensor values, Communicator& communicator)
{
    if (communicator.worldSize() > 1) {
        communicator.allReduceSum(values);
        values = values / double(communicator.worldSize());
    }
    return values.to(torch::kCPU, torch::kDouble);
}

/** The objective's diagnostics of a step whose loss is read, as the mean over a job's ranks. */
std::map<std::string, double> readScalars(const std::map<std::string, torch::Tensor>& scalars, torch::Device device,
                                          Communicator& communicator)
{
    std::map<std::string, double> values;
    if (scalars.empty()) {
        return values;
    }
    std::vector<torch::Tensor> rows;
    for (const auto& entry : scalars) {
        rows.push_back(entry.second.detach().to(device, torch::kDouble).reshape({1}));
    }
    const torch::Tensor all = meanOverRanks(torch::cat(rows), communicator);
    int64_t index = 0;
    for (const auto& entry : scalars) {
        values[entry.first] = all[index++].item<double>();
    }
    return values;
}

/** The one line a NaN or infinite loss stops the run with: where, at what learning rate, and what to try. */
std::string nonFiniteLossMessage(double value, long long step, int epoch, int stepInEpoch, double lr,
                                 std::optional<double> lastFinite, std::optional<int> readEvery)
{
    std::ostringstream message;
    message << "the loss became " << value << " at step " << step << " (epoch " << epoch << ", step " << stepInEpoch
            << " of the epoch, learning rate " << lr << "; the last finite loss was "
            << (lastFinite ? std::to_string(*lastFinite) : std::string("none yet"))
            << (readEvery ? ", read every " + std::to_string(*readEvery) + " steps on a GPU (logging.step_every)"
                          : std::string())
            << "); training stopped without saving this state. checkpoints/last.pt holds the last finished "
               "epoch. Try a smaller optimizer.learning_rate.";
    return message.str();
}

/** One GPU per rank: a distributed job on "cuda" puts rank r of a node on cuda:LOCAL_RANK. */
torch::Device trainingDevice(const std::string& choice, const Communicator& communicator)
{
    const torch::Device device = resolveDevice(choice);
    if (device.is_cuda() && !device.has_index() && communicator.worldSize() > 1) {
        return torch::Device(torch::kCUDA, torch::DeviceIndex(communicator.localRank()));
    }
    return device;
}

/** What the record of every run holds besides the caller's callbacks: the temperature statistics first. */
CallbackSequence runCallbacks(const ExperimentConfig& config, const std::vector<std::shared_ptr<TrainingCallback>>& extra)
{
    std::vector<std::shared_ptr<TrainingCallback>> callbacks{
        std::make_shared<CertaintyStatistics>(config.logging.histogramBins)};
    callbacks.insert(callbacks.end(), extra.begin(), extra.end());
    return CallbackSequence(std::move(callbacks));
}

/** " on DEVICE [x N processes (...)]: E epochs x S steps = T steps, batch B, I training images". */
std::string trainingPlan(const ExperimentConfig& config, const std::string& device, const Communicator& communicator,
                         int stepsPerEpoch, int64_t trainingImages)
{
    std::ostringstream plan;
    plan << " on " << device;
    if (communicator.worldSize() > 1) {
        plan << " x " << communicator.worldSize() << " processes (" << communicator.backend() << ", "
             << config.optimizer.batchSize / communicator.worldSize() << " images each per step"
             << (config.syncBatchNorm ? ", synchronised BatchNorm" : "") << ")";
    }
    plan << ": " << config.numEpochs << " epochs x " << stepsPerEpoch << " steps = "
         << (long long)stepsPerEpoch * config.numEpochs << " steps, batch " << config.optimizer.batchSize << ", "
         << trainingImages << " training images";
    return plan.str();
}

/** One training run from start (or resume point) to the last epoch or a stop request. */
class TrainingRun
{
public:
    TrainingRun(const ExperimentConfig& config, TrainingObserver& observer, const CancellationToken& cancel,
                const TrainingOptions& options)
        : m_config(config)
        , m_observer(observer)
        , m_cancel(cancel)
        , m_options(options)
        , m_precision(config.precision)
        , m_communicator(options.communicator ? options.communicator : singleProcessCommunicator())
        , m_device(trainingDevice(config.device, *m_communicator))
        , m_callbacks(runCallbacks(config, options.callbacks))
        , m_recorder(observer, config.logging.stepEvery)
    {
    }

    TrainingResult execute()
    {
        try {
            return trainAllEpochs();
        } catch (const c10::OutOfMemoryError& error) {
            throw TauError(stoppedByMemory(error.what_without_backtrace()));
        } catch (const DistributedError& error) {
            try {
                writeEvent("error", error.what()); // the run shows as failed, with the rank that went away
            } catch (const std::exception&) {
            }
            throw;
        } catch (const std::exception& error) {
            if (distributed()) {
                m_communicator->reportFailure(error.what()); // the other ranks' errors name this one
            }
            throw;
        }
    }

private:
    /** The run's one-line account of running out of GPU memory, also written to its events; nothing is saved. */
    std::string stoppedByMemory(const std::string& torchMessage)
    {
        const std::string message =
            outOfMemoryMessage(torchMessage, "training step " + std::to_string(m_position.step + 1), "optimizer.batch_size",
                               m_config.optimizer.batchSize) +
            ". Training stopped without saving; checkpoints/last.pt holds the last saved state.";
        try {
            writeEvent("error", message);
        } catch (const std::exception&) {
        }
        if (distributed()) {
            m_communicator->reportFailure(message);
        }
        return message;
    }

    TrainingResult trainAllEpochs()
    {
        prepare();
        TrainingResult result;
        result.runDirectory = m_paths.root;
        result.epochsCompleted = m_position.epoch;
        for (int epoch = m_position.epoch; epoch < m_config.numEpochs; ++epoch) {
            const bool finished = runEpoch(epoch, result);
            if (!finished) {
                result.cancelled = true;
                break;
            }
            result.epochsCompleted = epoch + 1;
            if (stopRequested() && epoch + 1 < m_config.numEpochs) {
                writeEvent("stopped", "stopped by request after epoch " + std::to_string(epoch + 1) +
                                                     "; checkpoints/last.pt holds that state");
                result.cancelled = true;
                break;
            }
        }
        result.steps = m_position.step;
        result.worldSize = m_communicator->worldSize();
        endCallbacks();
        return result;
    }

    bool leader() const { return m_communicator->isLeader(); }

    /** Every callback's account of the training, to the run's events and the observer. */
    void endCallbacks()
    {
        TrainingEnd end;
        end.stepsTrained = m_position.step - m_firstStep;
        end.seconds = std::chrono::duration<double>(Clock::now() - m_trainingStart).count();
        end.report = [this](const std::string& event, const std::string& detail) {
            writeEvent(event, detail);
            m_recorder.say(event + " " + detail);
        };
        m_callbacks.onTrainingEnd(end);
    }

    bool distributed() const { return m_communicator->worldSize() > 1; }

    /** In a job, the stop decision the ranks agreed on at the last step; alone, the token itself. */
    bool stopRequested() const { return distributed() ? m_stopAgreed : m_cancel.stopRequested(); }

    void writeEvent(const std::string& event, const std::string& detail, int worldSize = 0)
    {
        m_recorder.event(event, detail, worldSize);
    }

    bool resuming() const { return !m_options.resumeRunDirectory.empty(); }

    /** A new run: its folder, locked, and its config. A resume: the checkpoint loaded, the history cut to it. */
    void openRunDirectory()
    {
        if (!resuming()) {
            if (leader()) {
                ClaimedRunFolder claimed = claimNewRunFolder(m_config, m_options.program);
                m_paths = claimed.paths;
                m_writerLock = std::move(claimed.lock);
            }
            return;
        }
        // Every rank reads the checkpoint (a shared file system); it holds no trace of the world size.
        m_paths = RunPaths{m_options.resumeRunDirectory};
        if (std::filesystem::exists(m_paths.lastCheckpoint())) {
            m_position = loadObjectiveState(m_paths.lastCheckpoint(), *m_objective, *m_optimizer);
            if (m_channelsLast) {
                m_objective->useChannelsLast(); // loading took the file's (contiguous) layout
            }
        } else {
            // Stopped before its first checkpoint: the run starts again from step 0, as it first did.
            m_recorder.say(m_paths.lastCheckpoint() + " is not there yet: the run starts again from step 0");
        }
        if (leader()) {
            m_recorder.cutHistoryTo(m_paths, m_position.step, m_position.epoch);
        }
    }

    /** Everything before the first step; a run folder is created or claimed only once the rest has succeeded. */
    void prepare()
    {
        if (resuming() && leader()) {
            // Before anything is loaded: a second writer is refused at once, with the first one named.
            m_writerLock = std::make_unique<RunWriterLock>(m_options.resumeRunDirectory, m_options.program);
        }
        configureThreads(m_config.threads);
        torch::manual_seed(uint64_t(m_config.seed));
        resetGpuPeak(m_device); // the step records' peak is this run's
        if (m_device.is_cuda()) {
            // Training's shapes are fixed (one batch size, one crop size): cuDNN's autotuner measures the algorithms
            // for each convolution once, on the first step, and keeps the fastest.
            at::globalContext().setBenchmarkCuDNN(true);
        }
        m_dataset = loadTrainingSet(m_config, m_communicator->worldSize(),
                                    [this](const std::string& message) { m_recorder.say(message); });
        buildObjective();
        m_batches = makeTrainingBatches(m_dataset, m_config, m_objective->views(), m_device, m_channelsLast,
                                        *m_communicator);
        m_stepsPerEpoch = m_batches.loader->stepsPerEpoch();
        m_totalSteps = (long long)m_stepsPerEpoch * m_config.numEpochs;
        const auto warmupSteps = (long long)std::llround(m_config.optimizer.warmupEpochs * m_stepsPerEpoch);
        m_schedule = learningRateSchedule(m_config.optimizer, warmupSteps, m_totalSteps);
        const TrainingSetUp setUp{m_device, *m_communicator, *m_averager, m_config.numEpochs, m_stepsPerEpoch};
        m_callbacks.setUp(setUp); // before the run folder: what a callback cannot work with writes nothing

        openRunDirectory();
        if (distributed()) {
            broadcastModelState(*m_objective, *m_communicator);
        }
        if (leader()) {
            m_recorder.open(m_paths);
            recordTrainingSession(m_paths, {resuming() ? "resume" : "start", m_options.program,
                                            m_options.commandLine, describeDevice(m_device), m_communicator->worldSize()});
        }
        announceStart();
    }

    /** The objective and its model on the device, in the run's memory format, with its optimiser. */
    void buildObjective()
    {
        const ModelInput input{m_dataset.channels(), m_dataset.inputSize(),
                               systemOf(m_config).classifier ? int64_t(m_dataset.classNames.size()) : 0};
        m_objective = m_options.makeObjective ? m_options.makeObjective(m_config, input, m_device)
                                              : makeObjective(m_config, input, m_device);
        m_channelsLast = usesChannelsLast(m_config.memoryFormat, m_device);
        if (m_channelsLast) {
            m_objective->useChannelsLast();
        }
        if (distributed()) {
            m_objective->distributeOver(*m_communicator, m_config.syncBatchNorm);
        }
        m_optimizer = std::make_unique<ConfiguredOptimizer>(m_config.optimizer, m_objective->parameters());
        m_averager = std::make_unique<GradientAverager>(*m_communicator, m_objective->parameters());
    }

    /** The plan, before the first step: what will run, so a wrong config shows before hours are spent on it. */
    void announceStart()
    {
        const std::string opening =
            (resuming() ? "resumed at step " + std::to_string(m_position.step) : "started " + m_config.system) +
            trainingPlan(m_config, describeDevice(m_device), *m_communicator, m_stepsPerEpoch, m_dataset.size());
        writeEvent(resuming() ? "resume" : "start", opening, m_communicator->worldSize());
        m_recorder.say(opening);
        m_observer.onTrainingStarted(m_paths.root, m_totalSteps);
        m_firstStep = m_position.step;
        m_trainingStart = Clock::now();
        m_callbacks.onTrainingStart();
    }

    /**
     * Whether the step's loss is read back to the host: on the CPU every step (reading costs nothing); on a GPU
     * only where it is logged (logging.step_every), at an epoch's last step and at a stop, so that the GPU runs
     * ahead of the host between them. NaN checks and the GUI's live curves follow the reads.
     */
    bool readsLoss(long long step, bool lastOfEpoch) const
    {
        return !m_device.is_cuda() || step % m_config.logging.stepEvery == 0 || lastOfEpoch ||
               (!distributed() && m_cancel.stopRequested());
    }

    /** The mean loss of the epoch's steps from their sum on the device (over every rank in a job). */
    double meanLoss(const torch::Tensor& lossSum, int steps)
    {
        // A copy on the device: NCCL reduces only GPU tensors, and the all-reduce writes in place.
        return steps == 0 ? 0.0 : meanOverRanks(lossSum.clone(), *m_communicator).item<double>() / steps;
    }

    /** After an optimisation step: its record where the loss was read, the callbacks, then the observer and the file. */
    void finishStep(int epoch, int stepInEpoch, double lr, const std::optional<double>& loss, const StepLoss& step)
    {
        std::optional<StepRecord> record;
        if (loss) {
            record = m_recorder.stepRecord(m_position.step, m_totalSteps, m_config.optimizer.batchSize);
            record->epoch = epoch + 1;
            record->stepInEpoch = stepInEpoch + 1;
            record->stepsPerEpoch = m_stepsPerEpoch;
            record->loss = *loss;
            record->learningRate = lr;
            record->scalars = readScalars(step.scalars, m_device, *m_communicator);
            if (const auto memory = gpuMemory(m_device)) {
                record->gpuMemoryMb = memory->inUseMb;
                record->gpuPeakMb = memory->peakMb;
            }
        }
        StepEnd end{m_position.step, step, record ? &*record : nullptr};
        m_callbacks.onStepEnd(end);
        if (record) {
            m_recorder.publish(*record);
        }
    }

    /** A stop within the epoch: its position saved, so a resume goes on from the next step. */
    void stopWithinEpoch(int epoch, int stepsDone)
    {
        m_position.epoch = epoch;
        m_position.stepInEpoch = stepsDone;
        saveState(m_paths.lastCheckpoint());
        writeEvent("stopped", "stopped by request after step " + std::to_string(m_position.step) +
                                  "; checkpoints/last.pt holds that state");
    }

    /** @return false when stopped by the cancellation token. */
    bool runEpoch(int epoch, TrainingResult& result)
    {
        m_objective->setTraining(true);
        const auto epochStart = Clock::now();
        const int firstStep = m_position.epoch == epoch ? m_position.stepInEpoch : 0;
        m_batches.loader->startEpoch(epoch, firstStep);
        m_recorder.startEpoch();

        torch::Tensor lossSum = torch::zeros({}, torch::TensorOptions(m_device).dtype(torch::kDouble));
        int lossCount = 0;
        for (int stepInEpoch = firstStep; stepInEpoch < m_stepsPerEpoch; ++stepInEpoch) {
            const double lr = m_schedule(m_position.step);
            const TrainingBatch batch = m_batches.loader->next();
            const bool read = readsLoss(m_position.step + 1, stepInEpoch + 1 == m_stepsPerEpoch);
            const auto [loss, step] = optimisationStep(batch, lr, epoch, stepInEpoch, read);
            ++m_position.step;
            m_recorder.stepTaken();
            lossSum += step.loss.detach().to(torch::kDouble);
            ++lossCount;
            finishStep(epoch, stepInEpoch, lr, loss, step);
            if (!distributed()) {
                m_cancel.waitWhilePaused(); // between steps: a pause never splits one
            }
            // A stop on an epoch's last step lets the epoch finish, so its record and checkpoints are complete.
            if (stopRequested() && stepInEpoch + 1 < m_stepsPerEpoch) {
                stopWithinEpoch(epoch, stepInEpoch + 1);
                result.lastEpochLoss = meanLoss(lossSum, lossCount);
                return false;
            }
        }
        result.lastEpochLoss = meanLoss(lossSum, lossCount);
        finishEpoch(epoch, result.lastEpochLoss,
                    std::chrono::duration<double>(Clock::now() - epochStart).count());
        return true;
    }

    /** The step's forward and loss, in bfloat16 autocast under precision: bf16 (backward runs outside it, as torch's). */
    StepLoss lossOf(const TrainingBatch& batch)
    {
        const ReducedPrecisionScope reducedPrecision(m_device, m_config.precision == "bf16");
        return m_objective->loss(batch);
    }

    /** @return the loss as read back where @p read (the mean over ranks in a job), and the step's outputs. */
    std::pair<std::optional<double>, StepLoss> optimisationStep(const TrainingBatch& batch, double lr, int epoch,
                                                                int stepInEpoch, bool read)
    {
        m_optimizer->setLearningRate(lr);
        const StepLoss step = lossOf(batch);
        if (!read) {
            update(step);
            return {std::nullopt, step};
        }
        double value = step.loss.item<double>();
        if (distributed()) {
            // One all-reduce carries the loss to report (the mean over ranks) and whether any rank was asked to stop.
            const torch::Tensor agreed = meanOverRanks(
                torch::tensor({value, m_cancel.stopRequested() ? 1.0 : 0.0}, torch::kDouble).to(m_device), *m_communicator);
            value = agreed[0].item<double>();
            m_stopAgreed = agreed[1].item<double>() > 0;
        }
        if (!std::isfinite(value)) {
            const std::string message =
                nonFiniteLossMessage(value, m_position.step + 1, epoch + 1, stepInEpoch + 1, lr, m_lastFiniteLoss,
                                     m_device.is_cuda() ? std::optional<int>(m_config.logging.stepEvery) : std::nullopt);
            writeEvent("error", message);
            throw TauError(message);
        }
        m_lastFiniteLoss = value;
        update(step);
        return {value, step};
    }

    /** Backward and the optimiser's update: nothing in it waits on the GPU. */
    void update(const StepLoss& step)
    {
        m_optimizer->zeroGrad();
        m_averager->prepare();
        step.loss.backward(); // gradient buckets are all-reduced while backward still runs
        m_averager->finish();
        m_optimizer->step();
        m_objective->afterStep();
    }

    void saveState(const std::string& path)
    {
        if (!leader()) {
            return; // the ranks hold the same state; rank 0 writes it
        }
        saveObjectiveState(path, *m_objective, *m_optimizer, m_position);
    }

    void finishEpoch(int epoch, double meanLoss, double seconds)
    {
        EpochRecord record;
        record.epoch = epoch + 1;
        record.totalEpochs = m_config.numEpochs;
        record.step = m_position.step;
        record.loss = meanLoss;
        record.learningRate = m_schedule(m_position.step - 1);
        record.seconds = seconds;
        record.wallTime = unixSeconds();
        record.imagesPerSecond = double(m_stepsPerEpoch) * m_config.optimizer.batchSize / std::max(1e-9, seconds);
        EpochEnd end{epoch + 1, m_config.numEpochs, *m_objective, m_cancel, record};
        m_callbacks.onEpochEnd(end);
        m_recorder.write(record);
        m_position.epoch = epoch + 1;
        m_position.stepInEpoch = 0;
        saveState(m_paths.lastCheckpoint());
        if ((epoch + 1) % m_config.logging.checkpointEvery == 0 || epoch + 1 == m_config.numEpochs) {
            saveState(m_paths.epochCheckpoint(epoch + 1));
        }
        m_recorder.show(record);
    }

    const ExperimentConfig& m_config;
    TrainingObserver& m_observer;
    const CancellationToken& m_cancel;
    TrainingOptions m_options;
    PrecisionScope m_precision; // before every tensor the run owns
    std::shared_ptr<Communicator> m_communicator;
    torch::Device m_device;
    std::unique_ptr<GradientAverager> m_averager;
    bool m_channelsLast = false; ///< memory_format: images and convolution weights NHWC
    bool m_stopAgreed = false;
    std::optional<double> m_lastFiniteLoss;
    long long m_firstStep = 0;
    Clock::time_point m_trainingStart;

    ImageDataset m_dataset;
    TrainingBatches m_batches; ///< reads m_dataset
    CallbackSequence m_callbacks; ///< the record statistics, then the caller's
    RunRecorder m_recorder; ///< every record and event of the run, to its observer and (rank 0) metrics.jsonl
    std::unique_ptr<TrainingObjective> m_objective;
    std::unique_ptr<ConfiguredOptimizer> m_optimizer;
    std::function<double(long long)> m_schedule;
    RunPaths m_paths;
    std::unique_ptr<RunWriterLock> m_writerLock; ///< rank 0 holds RUN/writer.lock until the run ends
    TrainingPosition m_position;
    int m_stepsPerEpoch = 0;
    long long m_totalSteps = 0;
};

} // namespace

TrainingResult train(const ExperimentConfig& config, TrainingObserver& observer, const CancellationToken& cancel,
                     const TrainingOptions& options)
{
    TrainingOptions resolved = options;
    if (resolved.resumeRunDirectory.empty() && !config.continueFromCheckpoint.empty()) {
        // continue_from_checkpoint names the run or one of its checkpoints: training goes on in that run.
        resolved.resumeRunDirectory = locateRun(config.continueFromCheckpoint).paths.root;
    }
    return translateTorchErrors("training", [&] { return TrainingRun(config, observer, cancel, resolved).execute(); });
}

} // namespace tau::core
