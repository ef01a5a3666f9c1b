#pragma once

#include "core/schema/experiment_config.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QTimer;

namespace tau::app {

class ConfigForm;

/**
 * The config side of the Train page: the YAML text (the single source of truth), the form over it, live
 * validation with the offending line marked, open/save/recent files. Edits in the form change one value in the
 * text and are one undo step.
 */
class ConfigEditor : public QWidget
{
    Q_OBJECT

public:
    explicit ConfigEditor(QWidget* parent = nullptr);

    /** Loads a config file; false (with the reason shown) when it cannot be read. */
    bool openConfig(const QString& path);
    /** Loads a shipped config as a new, unsaved one (Save asks where): the preset's own file stays as it is. */
    bool openPreset(const QString& path);
    /**
     * Loads the config a run was trained with (RUN/config.yaml) as a new, unsaved one, so Train runs what the
     * run ran and Save never writes into the run's folder. False when the run has no config.yaml.
     */
    bool openRunConfig(const QString& runDirectory);
    /** Shows every built-in default written out, as a new config: the Train page where no preset is installed. */
    void openBuiltInDefaults();
    /** Whether the text is empty: Train then refuses rather than run every default. */
    bool isEmpty() const;
    void openConfigDialog();
    bool saveConfig();
    bool saveConfigAs();
    /** Validates the text now (it also happens shortly after every edit). */
    void validateConfig();

    /**
     * The config the text resolves to, or nothing with the error shown (and its line marked); warnings
     * (unknown or duplicate keys) are shown beside it.
     */
    bool resolvedConfig(core::ExperimentConfig& config);

    /** Shows @p message under the text; a line > 0 is selected in the text. */
    void showError(const QString& message, int line);
    QString errorText() const;

    /** While a run trains, its config cannot change. */
    void setLocked(bool locked);
    bool hasUnsavedChanges() const;
    /** The file name with a * when modified, for the window title. */
    QString documentTitle() const;
    /** A picker of the shipped configs (core::presetDirectories over Qt's data locations), opening the one chosen. */
    QComboBox* buildPresetPicker();
    /** Where the GUI finds presets: core::presetDirectories over Qt's generic data locations (XDG data dirs). */
    static std::vector<std::string> presetFolders();

Q_SIGNALS:
    void statusMessage(const QString& text);
    void titleChanged();
    /** A config file was opened or saved (for the recent files). */
    void fileUsed(const QString& path);

private:
    /** Puts a file's text in the editor, as that file (Save writes it) or as a new config from a preset. */
    bool loadText(const QString& path, bool asPreset, const QString& origin = {});
    /** Puts @p text in the editor as the document of @p path (empty: a new config, from @p preset or @p origin). */
    void showText(const QString& text, const QString& path, const QString& preset, const QString& origin);
    void applyFormEdit(const QString& keyPath, const QString& value);
    void markErrorLine(int line);
    bool writeConfig(const QString& path);
    void updateFileLabel();
    QString sourceName() const;

    QString m_path;
    QString m_preset; ///< the preset the unsaved text came from, for the file label
    QString m_origin; ///< what the unsaved text came from, for the file label ("the preset default.yaml")
    QLabel* m_fileLabel;
    ConfigForm* m_form;
    QPlainTextEdit* m_editor;
    QLabel* m_errorLabel;
    QTimer* m_validationTimer;
    bool m_statusShowsError = false; ///< showError put an error in the status bar, which validation clears
};

} // namespace tau::app
