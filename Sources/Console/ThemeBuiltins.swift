// Generated from Themes/*.yaml; ThemeBuiltinsTests checks the copies stay identical.
// Embedded so the binary works wherever it is installed.

/// The shipped themes, by name, as YAML text.
enum BuiltinThemes {
    static let yaml: [String: String] = [
        "default": #"""
        # dialtone theme: default (for dark terminal backgrounds).
        # Colours: default, black, red, green, yellow, blue, magenta, cyan, white, bright-<name>,
        # or a 256-colour index 0-255. fg8/bg8 replace fg/bg on 8- and 16-colour terminals.
        # Attributes: bold, dim, reverse, underline (true/false).
        name: default
        description: Dark background; green, amber and red traffic lights with glyphs and words.
        roles:
          text: {fg: default}
          dim: {fg: 245, fg8: white, dim: true}
          accent: {fg: 44, fg8: cyan, bold: true}
          info: {fg: 75, fg8: cyan}
          title: {fg: bright-white, fg8: white, bold: true}
          border: {fg: 240, fg8: blue}
          selection: {fg: black, bg: 117, bg8: cyan}
          ok: {fg: 40, fg8: green, bold: true}
          warning: {fg: 214, fg8: yellow, bold: true}
          critical: {fg: bright-white, bg: 160, fg8: white, bg8: red, bold: true}
          no-data: {fg: 244, fg8: white, dim: true}
          level-debug: {fg: 244, fg8: white, dim: true}
          level-info: {fg: default}
          level-warning: {fg: 214, fg8: yellow}
          level-error: {fg: 203, fg8: red, bold: true}
          level-critical: {fg: bright-white, bg: 124, fg8: white, bg8: red, bold: true}
          stack-telephony: {fg: 141, fg8: magenta}
          stack-audio: {fg: 80, fg8: cyan}
          stack-intelligence: {fg: 222, fg8: yellow}
          stack-output: {fg: 111, fg8: blue}
          placeholder: {fg: 213, fg8: magenta, underline: true}

        """#,
        "light": #"""
        # dialtone theme: light (for light terminal backgrounds). Schema: see default.yaml.
        name: light
        description: Light background; darker greens, ambers and reds that stay readable on white.
        roles:
          text: {fg: default}
          dim: {fg: 244, fg8: black, dim: true}
          accent: {fg: 25, fg8: blue, bold: true}
          info: {fg: 26, fg8: blue}
          title: {fg: black, bold: true}
          border: {fg: 248, fg8: black}
          selection: {fg: black, bg: 153, bg8: cyan}
          ok: {fg: 28, fg8: green, bold: true}
          warning: {fg: 130, fg8: black, bg8: yellow, bold: true}
          critical: {fg: white, bg: 160, fg8: white, bg8: red, bold: true}
          no-data: {fg: 245, fg8: black, dim: true}
          level-debug: {fg: 245, fg8: black, dim: true}
          level-info: {fg: default}
          level-warning: {fg: 130, fg8: magenta}
          level-error: {fg: 160, fg8: red, bold: true}
          level-critical: {fg: white, bg: 124, fg8: white, bg8: red, bold: true}
          stack-telephony: {fg: 91, fg8: magenta}
          stack-audio: {fg: 30, fg8: cyan}
          stack-intelligence: {fg: 94, fg8: black}
          stack-output: {fg: 25, fg8: blue}
          placeholder: {fg: 127, fg8: magenta, underline: true}

        """#,
        "high-contrast": #"""
        # dialtone theme: high-contrast (basic and bright colours only, strong attributes).
        # Schema: see default.yaml.
        name: high-contrast
        description: Bright colours, bold text and reverse video for the states that matter most.
        roles:
          text: {fg: bright-white, fg8: white}
          dim: {fg: white}
          accent: {fg: bright-cyan, fg8: cyan, bold: true}
          info: {fg: bright-cyan, fg8: cyan}
          title: {fg: bright-white, fg8: white, bold: true, underline: true}
          border: {fg: bright-white, fg8: white}
          selection: {fg: black, bg: bright-yellow, bg8: yellow, bold: true}
          ok: {fg: bright-green, fg8: green, bold: true}
          warning: {fg: black, bg: bright-yellow, bg8: yellow, bold: true}
          critical: {fg: bright-white, bg: red, fg8: white, bold: true, underline: true}
          no-data: {fg: white, underline: true}
          level-debug: {fg: white}
          level-info: {fg: bright-white, fg8: white}
          level-warning: {fg: bright-yellow, fg8: yellow, bold: true}
          level-error: {fg: bright-red, fg8: red, bold: true}
          level-critical: {fg: bright-white, bg: red, fg8: white, bold: true}
          stack-telephony: {fg: bright-magenta, fg8: magenta, bold: true}
          stack-audio: {fg: bright-cyan, fg8: cyan, bold: true}
          stack-intelligence: {fg: bright-yellow, fg8: yellow, bold: true}
          stack-output: {fg: bright-blue, fg8: blue, bold: true}
          placeholder: {fg: black, bg: bright-magenta, bg8: magenta}

        """#,
        "colorblind": #"""
        # dialtone theme: colorblind (safe for red-green colour blindness).
        # No state is told apart by red against green: ok is blue, warning yellow, critical orange in
        # reverse video, and every traffic light also carries its glyph and word. Schema: see default.yaml.
        name: colorblind
        description: Blue, yellow and orange states (no red/green pairs); lights also read by glyph and word.
        roles:
          text: {fg: default}
          dim: {fg: 245, fg8: white, dim: true}
          accent: {fg: 39, fg8: cyan, bold: true}
          info: {fg: 117, fg8: cyan}
          title: {fg: bright-white, fg8: white, bold: true}
          border: {fg: 240, fg8: blue}
          selection: {fg: black, bg: 117, bg8: cyan}
          ok: {fg: 33, fg8: blue, bold: true}
          warning: {fg: 220, fg8: yellow, bold: true}
          critical: {fg: black, bg: 208, fg8: white, bg8: magenta, bold: true}
          no-data: {fg: 244, fg8: white, dim: true, underline: true}
          level-debug: {fg: 244, fg8: white, dim: true}
          level-info: {fg: default}
          level-warning: {fg: 220, fg8: yellow}
          level-error: {fg: 208, fg8: magenta, bold: true}
          level-critical: {fg: black, bg: 208, fg8: white, bg8: magenta, bold: true}
          stack-telephony: {fg: 141, fg8: magenta}
          stack-audio: {fg: 80, fg8: cyan}
          stack-intelligence: {fg: 229, fg8: yellow}
          stack-output: {fg: 111, fg8: blue}
          placeholder: {fg: 213, fg8: magenta, underline: true}

        """#,
        "mono": #"""
        # dialtone theme: mono (attributes only; what NO_COLOR terminals see). Schema: see default.yaml.
        name: mono
        description: No colour at all; states told apart by bold, dim, underline, reverse, glyph and word.
        roles:
          text: {}
          dim: {dim: true}
          accent: {bold: true}
          info: {}
          title: {bold: true, underline: true}
          border: {dim: true}
          selection: {reverse: true}
          ok: {}
          warning: {bold: true}
          critical: {bold: true, reverse: true}
          no-data: {dim: true}
          level-debug: {dim: true}
          level-info: {}
          level-warning: {bold: true}
          level-error: {bold: true, underline: true}
          level-critical: {bold: true, reverse: true}
          stack-telephony: {}
          stack-audio: {}
          stack-intelligence: {}
          stack-output: {}
          placeholder: {underline: true}

        """#,
    ]
}
