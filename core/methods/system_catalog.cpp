#include "core/methods/system_catalog.h"

#include "core/methods/catalog_rows.h"

namespace tau::core {

namespace {

SystemInfo row(std::string name, std::string title, std::string summary, std::vector<std::string> defaultScores)
{
    SystemInfo info;
    info.name = std::move(name);
    info.title = std::move(title);
    info.summary = std::move(summary);
    info.defaultScores = std::move(defaultScores);
    return info;
}

std::vector<SystemInfo> buildCatalog()
{
    // Contrastive baselines default to kNN, and to MC dropout where the model keeps dropout on (it fits only then).
    std::vector<SystemInfo> catalog;

    SystemInfo tauSimclr = row("tau_simclr", "TaU-SimCLR", "every similarity of anchor i scaled by c_i = sigmoid(r_i)", {"tau", "tau_mahalanobis", "knn"});
    tauSimclr.learnsTemperature = tauSimclr.needsPosteriorHead = true;
    catalog.push_back(tauSimclr);

    SystemInfo exposure = row("tau_simclr_oe", "TaU-SimCLR + OE",
                              "TaU-SimCLR plus -log(1 - c) on synthetic outliers (loss.outlier_families)", {"tau", "tau_mahalanobis", "knn"});
    exposure.learnsTemperature = exposure.needsPosteriorHead = exposure.trainsWithOutliers = true;
    catalog.push_back(exposure);

    catalog.push_back(row("simclr", "SimCLR", "NT-Xent (with model.mc_dropout: true, the MC-dropout baseline)", {"mc_dropout", "knn"}));

    SystemInfo tauMoco = row("tau_mocov2", "TaU-MoCo-v2", "MoCo-v2 with the query's c scaling its logits", {"tau", "tau_mahalanobis", "knn"});
    tauMoco.learnsTemperature = tauMoco.needsPosteriorHead = tauMoco.usesQueue = true;
    catalog.push_back(tauMoco);

    SystemInfo moco = row("mocov2", "MoCo-v2", "momentum key encoder and a FIFO queue of keys",
                          {"mc_dropout", "knn"});
    moco.usesQueue = true;
    catalog.push_back(moco);

    SystemInfo hib = row("hib", "HIB", "Hedged Instance Embeddings: N(loc, softplus(r)^2 I) per view, K samples", {"hib", "knn"});
    hib.gaussianEmbedding = hib.needsPosteriorHead = true;
    catalog.push_back(hib);

    SystemInfo supervised = row("supervised", "Supervised", "cross-entropy on labels (for MSP, ODIN, energy)", {"msp", "energy"});
    supervised.classifier = true;
    catalog.push_back(supervised);

    SystemInfo posthoc = row("posthoc_tau", "Post-hoc TaU",
                             "the TaU-SimCLR loss training only a Linear(h, 1) head on a frozen encoder", {"tau", "tau_mahalanobis", "knn"});
    posthoc.learnsTemperature = posthoc.needsFrozenEncoder = true;
    catalog.push_back(posthoc);

    SystemInfo linear = row("linear_eval", "Linear evaluation", "the original's TransferSystem", {"knn"});
    linear.notTrainable = "system linear_eval (the original's TransferSystem) is not trained as a system here: run "
                          "`tau linear-eval --checkpoint RUN_DIR` on the pretrained run instead";
    catalog.push_back(linear);
    return catalog;
}

} // namespace

const std::vector<SystemInfo>& systemCatalog()
{
    static const std::vector<SystemInfo> catalog = buildCatalog();
    return catalog;
}

const SystemInfo& systemInfo(const std::string& name)
{
    return rowNamed(systemCatalog(), name, "system");
}

std::vector<std::string> systemNames()
{
    return namesOf(systemCatalog());
}

const SystemInfo& systemOf(const ExperimentConfig& config)
{
    return systemInfo(config.system);
}

} // namespace tau::core
