#pragma once

#include "core/schema/experiment_config.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace tau::app {

/**
 * The keys most runs change (method, dataset, encoder, epochs, batch size, learning rate, t, device, and post-hoc
 * TaU's frozen encoder) as form fields. It shows the config the editor's text resolves to, and reports each edit as (key path, YAML
 * value) so the window can change that one value in the text, keeping the user's comments and layout.
 */
class ConfigForm : public QWidget
{
    Q_OBJECT

public:
    explicit ConfigForm(QWidget* parent = nullptr);

    /** Shows @p config without reporting edits. */
    void showConfig(const core::ExperimentConfig& config);

    /**
     * Makes @p path post-hoc TaU's frozen encoder: model.encoder_torchscript when the file is a TorchScript program
     * (its code defines functions), else model.encoder_checkpoint (one of our runs' checkpoints). @return false,
     * with a notice saying why, when the file is not an archive that can be read safely.
     */
    bool useFrozenEncoder(const QString& path);

Q_SIGNALS:
    void valueEdited(const QString& keyPath, const QString& yamlValue);
    /** Something the user should read in the status bar. */
    void notice(const QString& text);

private:
    QComboBox* choiceBox(const char* keyPath);
    QWidget* frozenEncoderRow();
    void chooseFrozenEncoder();
    void report(const char* keyPath, const QString& value);

    QComboBox* m_system;
    QComboBox* m_dataset;
    QComboBox* m_encoder;
    QSpinBox* m_epochs;
    QSpinBox* m_batchSize;
    QLineEdit* m_learningRate;
    QDoubleSpinBox* m_temperature;
    QComboBox* m_device;
    QLineEdit* m_frozenEncoder;
    QWidget* m_frozenEncoderRow;
    bool m_showing = false;
};

} // namespace tau::app
