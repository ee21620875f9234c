namespace Federation.Core;
