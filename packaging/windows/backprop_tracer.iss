; Backprop Tracer's Windows installer (Inno Setup 6.3 or newer).
;
;   iscc /DAppVersion=0.1.0 /DBundleDir=C:\path\to\dist\backprop-tracer /OC:\path\to\dist backprop_tracer.iss
;
; .github/workflows/bundles.yml runs it on the one-folder bundle packaging/build.py made,
; with the version from pyproject.toml. The installer:
; - installs for the current user by default (no administrator rights: {autopf} is
;   %LOCALAPPDATA%\Programs there) and offers "for all users" in its first dialog;
; - adds a Start-menu entry and, if ticked, a desktop icon;
; - associates .bptlesson files (application/x-backprop-tracer-lesson) with the app, which
;   opens the file it is given (main.py FILE);
; - registers an uninstaller (Settings > Apps), which removes all of it.
; The names match packaging/desktop.py and engine/lesson.py.

#ifndef AppVersion
  #error Give the version: iscc /DAppVersion=0.1.0 /DBundleDir=... backprop_tracer.iss
#endif
#ifndef BundleDir
  #error Give the bundle folder: iscc /DAppVersion=... /DBundleDir=...\dist\backprop-tracer backprop_tracer.iss
#endif

#define AppName "Backprop Tracer"
#define AppExeName "backprop-tracer.exe"
#define LessonExt ".bptlesson"
#define LessonProgId "BackpropTracer.Lesson"
#define LessonTypeName "Backprop Tracer lesson"
#define LessonMimeType "application/x-backprop-tracer-lesson"

[Setup]
; AppId ties upgrades and the uninstaller together: never change it.
AppId={{3F56B2D1-9D17-48FD-A35A-0E551D05BE07}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesAssociations=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=..\..\resources\icons\backprop_tracer.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputBaseFilename=backprop-tracer-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Registry]
; HKA is HKCU\Software\Classes for a per-user install and HKLM for all users.
Root: HKA; Subkey: "Software\Classes\{#LessonExt}\OpenWithProgids"; ValueType: string; ValueName: "{#LessonProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#LessonExt}"; ValueType: string; ValueName: "Content Type"; ValueData: "{#LessonMimeType}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#LessonProgId}"; ValueType: string; ValueName: ""; ValueData: "{#LessonTypeName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#LessonProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExeName},0"
Root: HKA; Subkey: "Software\Classes\{#LessonProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExeName}\SupportedTypes"; ValueType: string; ValueName: "{#LessonExt}"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent
